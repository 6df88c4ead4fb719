"""Campaigns as a club owner describes them, through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import jdatetime
from campaign_helpers import CAKE, COFFEE, THURSDAY_EVENING, WEDNESDAY_EVENING, bonus, new_campaign

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN, utcnow
from scenarios import till_sale
from support import Club, balance, enrol, error_code, ledger_problems, refund, sale_body

DOUBLE_COFFEE_THURSDAY_EVENINGS = {
    "name_fa": "پنجشنبه‌شب‌ها امتیاز دوبرابر قهوه",
    "name_en": "Thursday evenings double points on coffee",
    "schedule": {"weekdays": ["thursday"], "from_hour": 18, "to_hour": 23},
    "budget_points": 500_000,
    "rules": [
        {
            "key": "coffee",
            "conditions": [{"type": "items", "match": {"categories": ["coffee"]}}],
            "effects": [{"type": "points_multiplier", "factor": "2", "items": {"categories": ["coffee"]}}],
        }
    ],
}


async def test_thursday_evenings_double_points_on_coffee_with_a_500000_point_budget(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    campaign = await new_campaign(client, club, **DOUBLE_COFFEE_THURSDAY_EVENINGS)
    member = await enrol(client, club)
    # 400,000 rials: 40 points, of which the coffee (200,000) earned 20 — doubled on Thursday evening.
    thursday = await till_sale(
        client, club, member["id"], 400_000, items=[COFFEE, CAKE], occurred_at=THURSDAY_EVENING
    )
    assert (thursday["points_earned"], thursday["points_bonus"]) == (40, 20)
    assert thursday["campaigns"] == [
        {
            "id": campaign["id"],
            "version": 1,
            "name": campaign["definition"]["name_fa"],
            "points": 20,
            "rules": ["coffee"],
            "cashback_rials": 0,
        }
    ]
    assert thursday["balance"]["total"] == 60
    wednesday = await till_sale(
        client, club, member["id"], 400_000, items=[COFFEE, CAKE], occurred_at=WEDNESDAY_EVENING
    )
    no_coffee = await till_sale(
        client, club, member["id"], 200_000, items=[CAKE], occurred_at=THURSDAY_EVENING
    )
    assert (wednesday["points_bonus"], no_coffee["points_bonus"]) == (0, 0)
    assert wednesday["campaigns"] == [] and no_coffee["campaigns"] == []
    assert (await balance(client, club, member["id"]))["total"] == 120
    read = await client.get(f"/api/v1/campaigns/{campaign['id']}", headers=club.headers("cashier"))
    assert read.status_code == 200 and read.json()["points_awarded"] == 20
    listed = (await client.get("/api/v1/campaigns", headers=club.headers("cashier"))).json()["items"]
    assert [(c["id"], c["version"], c["points_awarded"]) for c in listed] == [(campaign["id"], 1, 20)]
    fetched = await client.get(f"/api/v1/purchases/{thursday['id']}", headers=club.headers())
    assert fetched.json()["points_bonus"] == 20
    statement = await client.get(f"/api/v1/members/{member['id']}/ledger", headers=club.headers())
    bonus = [line for line in statement.json()["items"] if line["code"] == "bonus"]
    assert [(b["points"], b["reason"], b["ref_type"]) for b in bonus] == [
        (20, "پنجشنبه‌شب‌ها امتیاز دوبرابر قهوه", "purchase")
    ]
    assert await ledger_problems(db) == []


async def test_thursday_evenings_double_points_on_coffee_for_gold_members(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    ladder = {
        "levels": [
            {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0},
            {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 50_000_000},
        ]
    }
    assert (await client.put("/api/v1/tiers", json=ladder, headers=club.headers())).status_code == 200
    gold_coffee = {**DOUBLE_COFFEE_THURSDAY_EVENINGS, "name_fa": "قهوهٔ طلایی‌ها"}
    rule = dict(gold_coffee["rules"][0])  # type: ignore[index]
    rule["conditions"] = [*rule["conditions"], {"type": "tier", "levels": ["gold"]}]
    gold_coffee["rules"] = [rule]
    await new_campaign(client, club, **gold_coffee)
    gold, bronze = await enrol(client, club), await enrol(client, club)
    assigned = await client.post(
        f"/api/v1/members/{gold['id']}/tier",
        json={"level": "gold", "reason": "loyal customer"},
        headers=club.headers(),
    )
    assert assigned.status_code == 200, assigned.text
    basket = {"items": [COFFEE, CAKE], "occurred_at": THURSDAY_EVENING}
    for_gold = await till_sale(client, club, gold["id"], 400_000, **basket)
    for_bronze = await till_sale(client, club, bronze["id"], 400_000, **basket)
    assert (for_gold["points_bonus"], for_bronze["points_bonus"]) == (20, 0)
    examined = await client.post(
        "/api/v1/purchases/examine",
        json=sale_body(bronze["id"], 400_000, external_id="T", **basket),
        headers=club.headers(**{"Accept-Language": "en"}),
    )
    failed = [c for c in examined.json()["campaigns"][0]["rules"][0]["conditions"] if not c["passed"]]
    assert failed == [{"type": "tier", "passed": False, "why": "the member is Bronze, not Gold"}]
    assert await ledger_problems(db) == []


async def test_birthday_month_triple_points(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    await new_campaign(
        client,
        club,
        name_fa="ماه تولد: امتیاز سه‌برابر",
        rules=[
            {
                "key": "birthday",
                "conditions": [{"type": "birthday_month"}],
                "effects": [{"type": "points_multiplier", "factor": "3"}],
            }
        ],
    )
    this_month = jdatetime.date.fromgregorian(date=utcnow().astimezone(TEHRAN).date()).month
    born_now = jdatetime.date(1370, this_month, 10).strftime("%Y/%m/%d")
    born_else = jdatetime.date(1370, this_month % 12 + 1, 10).strftime("%Y/%m/%d")
    celebrating = await enrol(client, club, birth_date=born_now)
    other = await enrol(client, club, birth_date=born_else)
    unknown = await enrol(client, club)
    got = [await till_sale(client, club, m["id"], 1_000_000) for m in (celebrating, other, unknown)]
    assert [(s["points_earned"], s["points_bonus"]) for s in got] == [(100, 200), (100, 0), (100, 0)]
    assert await ledger_problems(db) == []


async def test_first_purchase_online_earns_a_fixed_500(client: httpx.AsyncClient, club: Club) -> None:
    await new_campaign(
        client,
        club,
        name_fa="اولین خرید آنلاین",
        name_en="First purchase online",
        rules=[
            {
                "key": "first-online",
                "conditions": [{"type": "first_purchase"}, {"type": "channel", "channel": "online"}],
                "effects": [{"type": "fixed_bonus", "points": 500}],
            }
        ],
    )
    online_shopper, store_shopper = await enrol(client, club), await enrol(client, club)
    first = await till_sale(client, club, online_shopper["id"], 100_000, branch="online")
    second = await till_sale(client, club, online_shopper["id"], 100_000, branch="online")
    in_store = await till_sale(client, club, store_shopper["id"], 100_000)
    then_online = await till_sale(client, club, store_shopper["id"], 100_000, branch="online")
    assert [s["points_bonus"] for s in (first, second, in_store, then_online)] == [500, 0, 0, 0]


async def test_tagged_members_paying_by_card_at_one_branch_get_points_per_item(
    client: httpx.AsyncClient, club: Club
) -> None:
    await new_campaign(
        client,
        club,
        name_fa="۱۰ امتیاز برای هر قهوهٔ لاوازا",
        rules=[
            {
                "key": "per-cup",
                "conditions": [
                    {
                        "type": "member_tags",
                        "any_of": ["staff", "كارمند"],
                    },  # Arabic kaf, as some keyboards type it
                    {"type": "payment_method", "methods": ["card"]},
                    {"type": "branch", "branches": ["main"]},
                    {"type": "basket_size", "min_units": 2},
                ],
                "effects": [{"type": "points_per_item", "points": 10, "items": {"brands": ["lavazza"]}}],
            }
        ],
    )
    staff, guest = await enrol(client, club, tags=["staff"]), await enrol(client, club)
    persian_staff = await enrol(client, club, tags=["کارمند"])
    by_card = await till_sale(client, club, staff["id"], 200_000, items=[COFFEE], payment_method="card")
    persian_by_card = await till_sale(
        client, club, persian_staff["id"], 200_000, items=[COFFEE], payment_method="card"
    )
    assert persian_by_card["points_bonus"] == 20
    by_cash = await till_sale(client, club, staff["id"], 200_000, items=[COFFEE], payment_method="cash")
    guest_card = await till_sale(client, club, guest["id"], 200_000, items=[COFFEE], payment_method="card")
    assert [s["points_bonus"] for s in (by_card, by_cash, guest_card)] == [20, 0, 0]


async def test_priority_and_stop_let_one_campaign_win(client: httpx.AsyncClient, club: Club) -> None:
    rule = [bonus(100, "all")]
    await new_campaign(client, club, name_fa="همیشگی", priority=1, rules=rule)
    vip = await new_campaign(
        client,
        club,
        name_fa="ویژه",
        priority=5,
        stop=True,
        rules=[
            {
                "key": "big",
                "conditions": [{"type": "purchase_total", "min_rials": 1_000_000}],
                "effects": [{"type": "fixed_bonus", "points": 300}],
            }
        ],
    )
    member = await enrol(client, club)
    big = await till_sale(client, club, member["id"], 1_000_000)
    small = await till_sale(client, club, member["id"], 100_000)
    assert [(c["id"], c["points"]) for c in big["campaigns"]] == [(vip["id"], 300)]
    assert [c["points"] for c in small["campaigns"]] == [100]


async def test_a_member_gets_at_most_200_bonus_points_a_day(client: httpx.AsyncClient, club: Club) -> None:
    await new_campaign(
        client,
        club,
        "۱۵۰ امتیاز هدیه، حداکثر ۲۰۰ در روز",
        bonus(150, "gift"),
        limits=[{"per": "day", "points": 200}],
    )
    member = await enrol(client, club)
    got = [await till_sale(client, club, member["id"], 10_000) for _ in range(3)]
    assert [s["points_bonus"] for s in got] == [150, 50, 0]


async def test_editing_a_campaign_never_changes_what_past_purchases_earned(
    client: httpx.AsyncClient, club: Club
) -> None:
    body: dict[str, Any] = {
        "name_fa": "دوبرابر",
        "rules": [{"key": "x", "effects": [{"type": "points_multiplier", "factor": "2"}]}],
    }
    campaign = await new_campaign(client, club, **body)
    member = await enrol(client, club)
    before = await till_sale(client, club, member["id"], 500_000)
    body["name_fa"] = "سه‌برابر"
    body["rules"][0]["effects"][0]["factor"] = "3"
    edited = await client.post(
        f"/api/v1/campaigns/{campaign['id']}/versions", json=body, headers=club.headers("owner")
    )
    assert edited.status_code == 201 and edited.json()["version"] == 2
    after = await till_sale(client, club, member["id"], 500_000)
    assert (before["points_bonus"], after["points_bonus"]) == (50, 100)
    old = (await client.get(f"/api/v1/purchases/{before['id']}", headers=club.headers())).json()
    assert old["points_bonus"] == 50
    assert old["campaigns"] == [
        {
            "id": campaign["id"],
            "version": 1,
            "name": "دوبرابر",
            "points": 50,
            "rules": ["x"],
            "cashback_rials": 0,
        }
    ]
    assert after["campaigns"][0]["version"] == 2
    versions = (
        await client.get(f"/api/v1/campaigns/{campaign['id']}/versions", headers=club.headers())
    ).json()["items"]
    assert [(v["version"], v["definition"]["rules"][0]["effects"][0]["factor"]) for v in versions] == [
        (1, "2"),
        (2, "3"),
    ]
    # Switched off (by the PUT that answers until 0.3): the next sale earns only its base points.
    body["active"] = False
    old = await client.put(f"/api/v1/campaigns/{campaign['id']}", json=body, headers=club.headers("owner"))
    assert old.status_code == 200 and old.json()["version"] == 3
    assert (await till_sale(client, club, member["id"], 500_000))["points_bonus"] == 0


async def test_a_refund_takes_back_bonus_points_in_proportion(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await new_campaign(
        client,
        club,
        name_fa="پنج‌برابر",
        rules=[{"key": "x", "effects": [{"type": "points_multiplier", "factor": "5"}]}],
    )
    member = await enrol(client, club)
    bought = await till_sale(client, club, member["id"], 300_000)
    assert (bought["points_earned"], bought["points_bonus"]) == (30, 120)
    first = await refund(client, club, bought["id"], amount_rials=100_000)
    assert first.status_code == 201, first.text
    assert first.json()["points_reversed"] == 10 + 40
    second = await refund(client, club, bought["id"], amount_rials=100_000)
    rest = await refund(client, club, bought["id"])
    assert [r.json()["points_reversed"] for r in (second, rest)] == [50, 50]
    assert (await balance(client, club, member["id"]))["total"] == 0
    assert await ledger_problems(db) == []


async def test_only_owners_and_managers_write_campaigns_and_bad_rules_change_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    body = {"name_fa": "x", "rules": [bonus(1)]}
    refused = await client.post("/api/v1/campaigns", json=body, headers=club.headers("cashier"))
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    bad = dict(body, rules=[bonus(0)])
    assert (await client.post("/api/v1/campaigns", json=bad, headers=club.headers())).status_code == 422
    assert (await client.get("/api/v1/campaigns", headers=club.headers("cashier"))).json()["items"] == []
    missing = await client.get("/api/v1/campaigns/999", headers=club.headers())
    assert missing.status_code == 404


async def test_a_campaign_only_runs_between_its_dates(client: httpx.AsyncClient, club: Club) -> None:
    starts = (utcnow() + timedelta(days=1)).isoformat()
    await new_campaign(client, club, "از فردا", bonus(10), schedule={"starts_at": starts})
    member = await enrol(client, club)
    assert (await till_sale(client, club, member["id"], 100_000))["points_bonus"] == 0


async def test_members_of_the_vip_list_segment_get_a_fixed_300(client: httpx.AsyncClient, club: Club) -> None:
    created = await client.post(
        "/api/v1/segments", json={"name": "VIP list", "kind": "static"}, headers=club.headers("manager")
    )
    assert created.status_code == 201, created.text
    segment_id = created.json()["id"]
    listed, other = await enrol(client, club), await enrol(client, club)
    added = await client.post(
        f"/api/v1/segments/{segment_id}/members", json={"member_ids": [listed["id"]]}, headers=club.headers()
    )
    assert added.status_code == 200, added.text
    await new_campaign(
        client,
        club,
        name_fa="هدیهٔ فهرست ویژه",
        rules=[
            {
                "key": "vip",
                "conditions": [{"type": "segment", "segments": [segment_id]}],
                "effects": [{"type": "fixed_bonus", "points": 300}],
            }
        ],
    )
    got = [await till_sale(client, club, m["id"], 100_000) for m in (listed, other)]
    assert [s["points_bonus"] for s in got] == [300, 0]
