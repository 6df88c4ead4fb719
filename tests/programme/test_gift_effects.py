"""Campaign effects that hand the member a coupon code or a reward instead of points."""

from __future__ import annotations

import httpx
from campaign_helpers import event, new_campaign

from bashgah.core.db import Database
from scenarios import new_batch, new_reward, till_sale
from support import Club, balance, enrol, ledger_problems


def gift_campaign(name: str, effect: dict[str, object], **extra: object) -> dict[str, object]:
    return {"name_fa": name, "rules": [{"key": "gift", "effects": [effect]}], **extra}


async def test_a_first_purchase_earns_a_personal_20_percent_coupon_for_the_next_visit(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    batch = await new_batch(
        client, club, name="۲۰٪ خرید بعدی", discount_type="percent", discount_percent=20, count=0
    )
    await new_campaign(
        client,
        club,
        name_fa="کد تخفیف خرید بعدی",
        rules=[
            {
                "key": "thanks",
                "conditions": [{"type": "first_purchase"}],
                "effects": [{"type": "issue_coupon", "batch_id": batch["id"]}],
            }
        ],
    )
    sara, reza = await enrol(client, club), await enrol(client, club)

    first = await till_sale(client, club, sara["id"], 1_000_000)
    [gift] = first["gifts"]
    assert (gift["kind"], gift["name"]) == ("coupon", "۲۰٪ خرید بعدی") and len(gift["code"]) == 10
    second = await till_sale(client, club, sara["id"], 500_000)
    assert second["gifts"] == []  # not a first purchase any more

    mine = await client.get(f"/api/v1/members/{sara['id']}/coupons", headers=club.headers("cashier"))
    assert [(c["code"], c["usable"], c["discount_percent"]) for c in mine.json()["items"]] == [
        (gift["code"], True, 20)
    ]

    # Only Sara may use it: Reza holding the printed receipt is refused, and nothing is written.
    refused = await client.post(
        "/api/v1/purchases",
        json={"member": {"id": reza["id"]}, "branch": "main", "external_id": "R-1", "total_rials": 400_000,
              "coupon": gift["code"]},
        headers=club.headers("cashier", **{"Idempotency-Key": "reza-1"}),
    )  # fmt: skip
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "coupon_of_another_member"
    assert "عضو دیگری" in refused.json()["error"]["message"]
    assert (await balance(client, club, reza["id"]))["total"] == 0

    used = await till_sale(client, club, sara["id"], 400_000, coupon=gift["code"].lower())
    assert used["coupon_discount_rials"] == 80_000
    after = await client.get(f"/api/v1/members/{sara['id']}/coupons", headers=club.headers("cashier"))
    assert [c["usable"] for c in after.json()["items"]] == [False]
    assert await ledger_problems(db) == []


async def test_members_who_check_in_get_a_free_shipping_reward_and_keep_their_points(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, name_fa="ارسال رایگان", name_en="Free shipping", stock=1)
    await new_campaign(
        client,
        club,
        name_fa="هدیهٔ حضور",
        rules=[
            {
                "key": "check-in",
                "trigger": "event",
                "event": "check_in",
                "effects": [{"type": "issue_reward", "reward_id": reward["id"]}],
            }
        ],
    )
    member = await enrol(client, club)
    response = await event(client, club, member["id"], "check_in")
    assert response.status_code == 201, response.text
    [gift] = response.json()["gifts"]
    assert (gift["kind"], gift["name"]) == ("reward", "ارسال رایگان")
    rewards = await client.get(f"/api/v1/members/{member['id']}/rewards", headers=club.headers())
    assert [(r["code"], r["status"], r["points"]) for r in rewards.json()["items"]] == [
        (gift["code"], "issued", 0)
    ]
    assert (await balance(client, club, member["id"]))["total"] == 0

    # The only one in stock is gone: the next check-in gives nothing rather than overselling.
    again = await event(client, club, member["id"], "check_in")
    assert again.status_code == 201 and again.json()["gifts"] == []
    assert await ledger_problems(db) == []


async def test_a_campaign_must_name_a_coupon_batch_of_unique_codes_and_a_reward_the_club_has(
    client: httpx.AsyncClient, club: Club
) -> None:
    universal = await new_batch(client, club, code="YALDA1405")
    for effect, said in (
        ({"type": "issue_coupon", "batch_id": universal["id"]}, "دستهٔ کد تخفیف یکتای"),
        ({"type": "issue_coupon", "batch_id": 999_999}, "دستهٔ کد تخفیف یکتای"),
        ({"type": "issue_reward", "reward_id": 999_999}, "جایزهٔ 999999"),
    ):
        response = await client.post(
            "/api/v1/campaigns", json=gift_campaign("هدیه", effect), headers=club.headers("manager")
        )
        assert response.status_code == 422, response.text
        assert said in response.json()["error"]["message"]
    listed = await client.get("/api/v1/campaigns", headers=club.headers("manager"))
    assert listed.json()["items"] == []


async def test_a_stopping_coupon_campaign_of_higher_priority_stops_the_bonus_below_it(
    client: httpx.AsyncClient, club: Club
) -> None:
    batch = await new_batch(client, club, name="VIP", count=0)
    await new_campaign(
        client,
        club,
        **gift_campaign("کد ویژه", {"type": "issue_coupon", "batch_id": batch["id"]}, priority=10, stop=True),
    )
    await new_campaign(client, club, **gift_campaign("۱۰۰ امتیاز", {"type": "fixed_bonus", "points": 100}))
    member = await enrol(client, club)
    result = await till_sale(client, club, member["id"], 1_000_000)
    assert [g["kind"] for g in result["gifts"]] == ["coupon"]
    assert result["points_bonus"] == 0
