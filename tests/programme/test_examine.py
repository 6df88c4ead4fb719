"""`POST /api/v1/purchases/examine`: what a sale would earn and why, without writing anything."""

from __future__ import annotations

from typing import Any

import httpx
from campaign_helpers import CAKE, COFFEE, THURSDAY_EVENING, WEDNESDAY_EVENING, bonus, new_campaign

from scenarios import till_sale
from support import Club, balance, enrol, error_code, sale_body

BIG_BASKETS = {
    "name_fa": "سبد بزرگ",
    "name_en": "Big baskets",
    "rules": [
        {
            "key": "big-coffee",
            "conditions": [
                {"type": "purchase_total", "min_rials": 500_000},
                {"type": "items", "match": {"categories": ["coffee"]}},
            ],
            "effects": [{"type": "fixed_bonus", "points": 300}],
        },
        {"key": "any", "effects": [{"type": "points_multiplier", "factor": "2"}]},
    ],
}


def _body(member_id: int, **fields: object) -> dict[str, object]:
    return sale_body(member_id, 400_000, external_id="X-1", **fields)


async def _examined_in_english(
    client: httpx.AsyncClient, club: Club, member_id: int, **fields: object
) -> Any:
    """What the sale of ``_body`` would give, explained in English."""
    response = await client.post(
        "/api/v1/purchases/examine",
        json=_body(member_id, **fields),
        headers=club.headers(**{"Accept-Language": "en"}),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_examine_explains_which_condition_failed_in_the_callers_language(
    client: httpx.AsyncClient, club: Club
) -> None:
    campaign = await new_campaign(client, club, **BIG_BASKETS)
    member = await enrol(client, club)
    body = _body(member["id"], items=[COFFEE, CAKE])
    english = await client.post(
        "/api/v1/purchases/examine", json=body, headers=club.headers("cashier", **{"Accept-Language": "en"})
    )
    assert english.status_code == 200, english.text
    result = english.json()
    assert (result["points_base"], result["points_bonus"], result["points_total"]) == (40, 40, 80)
    [c] = result["campaigns"]
    assert (c["id"], c["name"], c["fires"], c["points"], c["why"]) == (
        campaign["id"],
        "Big baskets",
        True,
        40,
        None,
    )
    big, anything = c["rules"]
    assert (big["key"], big["fires"], big["points"]) == ("big-coffee", False, 0)
    assert big["conditions"] == [
        {"type": "purchase_total", "passed": False, "why": "the total 400,000 rials is below 500,000"},
        {"type": "items", "passed": True, "why": "2 units of category coffee"},
    ]
    assert (anything["fires"], anything["points"]) == (True, 40)
    persian = (
        await client.post("/api/v1/purchases/examine", json=body, headers=club.headers("cashier"))
    ).json()
    assert persian["campaigns"][0]["name"] == "سبد بزرگ"
    assert (
        persian["campaigns"][0]["rules"][0]["conditions"][0]["why"]
        == "مبلغ خرید ۴۰۰٬۰۰۰ ریال کمتر از ۵۰۰٬۰۰۰ است"
    )


async def test_examine_writes_nothing(client: httpx.AsyncClient, club: Club) -> None:
    await new_campaign(client, club, **BIG_BASKETS)
    member = await enrol(client, club)
    body = _body(member["id"], total_rials=600_000, items=[COFFEE])
    examined = (await client.post("/api/v1/purchases/examine", json=body, headers=club.headers())).json()
    assert examined["points_total"] == 60 + 300 + 60
    assert (await balance(client, club, member["id"]))["total"] == 0
    recorded = await till_sale(client, club, member["id"], 600_000, items=[COFFEE], external_id="X-1")
    assert recorded["points_earned"] + recorded["points_bonus"] == examined["points_total"]


async def test_examine_says_a_campaign_is_outside_its_schedule_or_out_of_budget(
    client: httpx.AsyncClient, club: Club
) -> None:
    await new_campaign(client, club, "پنجشنبه‌ها", bonus(100), schedule={"weekdays": ["thursday"]})
    await new_campaign(client, club, "بودجهٔ کوچک", bonus(100), budget_points=100)
    member = await enrol(client, club)
    await till_sale(
        client, club, member["id"], 100_000, occurred_at=WEDNESDAY_EVENING
    )  # spends the small budget
    on_wednesday = await _examined_in_english(client, club, member["id"], occurred_at=WEDNESDAY_EVENING)
    assert [(c["fires"], c["why"]) for c in on_wednesday["campaigns"]] == [
        (False, "the campaign does not run on wednesday"),
        (False, "the campaign's budget of 100 points is spent"),
    ]
    on_thursday = await _examined_in_english(client, club, member["id"], occurred_at=THURSDAY_EVENING)
    assert on_thursday["points_bonus"] == 100


async def test_examine_without_campaigns_shows_the_base_points_and_refuses_unknown_and_blocked_members(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    result = await client.post(
        "/api/v1/purchases/examine", json=_body(member["id"], redeem_points=0), headers=club.headers()
    )
    examined = result.json()
    assert examined.pop("at")  # the moment examined: now, as no occurred_at was given
    assert examined == {
        "member_id": member["id"],
        "paid_rials": 400_000,
        "points_base": 40,
        "points_bonus": 0,
        "points_total": 40,
        "cashback_rials": 0,
        "campaigns": [],
        "stamps": [],
        # The bill as the sale would write it (what the till's confirm step shows).
        "total_rials": 400_000,
        "reward_name": None,
        "reward_discount_rials": 0,
        "coupon_discount_rials": 0,
        "points_discount_rials": 0,
        "due_rials": 400_000,
        "wallet_rials": 0,
        "gift_card_rials": 0,
    }
    missing = await client.post("/api/v1/purchases/examine", json=_body(999_999), headers=club.headers())
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    blocked = await client.post(
        f"/api/v1/members/{member['id']}/block", json={"reason": "fraud"}, headers=club.headers()
    )
    assert blocked.status_code == 200, blocked.text
    refused = await client.post("/api/v1/purchases/examine", json=_body(member["id"]), headers=club.headers())
    assert refused.status_code == 409 and error_code(refused) == "member_blocked"
