"""Occasion gifts as a club owner sees them: who gets what, on which day, and only once a year."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import jdatetime
from occasion_helpers import LADDER, gifted_points, new_rule, occasion_lines, run_occasions, tehran

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN
from bashgah.tiers import service as tiers
from support import Club, assert_refused, enrol, ledger_problems


async def test_a_member_born_on_30_esfand_gets_the_birthday_gift_on_29_esfand_in_a_common_year(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    assert not jdatetime.date(1404, 1, 1).isleap()
    await new_rule(client, club, "birthday", points=200)
    member = await enrol(client, club, birth_date="۱۳۹۹/۱۲/۳۰")

    assert await run_occasions(db, tehran(1404, 12, 28)) == 0
    assert await run_occasions(db, tehran(1404, 12, 29)) == 1
    assert await gifted_points(client, club, member["id"]) == [200]
    assert await run_occasions(db, tehran(1404, 12, 29, hour=23)) == 0
    assert await ledger_problems(db) == []


async def test_gold_members_get_500_extra_birthday_points(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    assert (
        await client.put("/api/v1/tiers", json=LADDER, headers=club.headers("manager"))
    ).status_code == 200
    await new_rule(client, club, "birthday", points=100)
    gold = await enrol(client, club, birth_date="1370/05/12")
    plain = await enrol(client, club, birth_date="1370/05/12")
    async with db.transaction() as session:
        await tiers.assign(
            session, club.tenant_id, gold["id"], tiers.TierAssign(level="gold", reason="best customer"), "t"
        )

    assert await run_occasions(db, tehran(1405, 5, 12)) == 2
    assert await gifted_points(client, club, gold["id"]) == [600]
    assert await gifted_points(client, club, plain["id"]) == [100]


async def test_a_birthday_gift_from_3_days_before_is_given_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await new_rule(client, club, "birthday", points=50, days_early=3)
    member = await enrol(client, club, birth_date="1991-08-03")  # 12 Mordad 1370
    early = jdatetime.date(1406, 5, 12) - timedelta(days=3)

    assert await run_occasions(db, tehran(early.year, early.month, early.day - 1)) == 0
    assert await run_occasions(db, tehran(early.year, early.month, early.day)) == 1
    assert await run_occasions(db, tehran(1406, 5, 12)) == 0
    assert await gifted_points(client, club, member["id"]) == [50]


async def test_membership_anniversary_is_given_a_year_after_enrolment_not_on_the_day(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await new_rule(client, club, "membership_anniversary", points=300)
    member = await enrol(client, club)
    enrolled_at = datetime.fromisoformat(member["created_at"]).astimezone(TEHRAN)
    local = jdatetime.date.fromgregorian(date=enrolled_at.date())

    assert await run_occasions(db, tehran(local.year, local.month, local.day, hour=23)) == 0
    assert await run_occasions(db, tehran(local.year + 1, local.month, min(local.day, 29))) == 1
    lines = await occasion_lines(client, club, member["id"], "en")
    assert [line["points"] for line in lines] == [300]
    assert lines[0]["description"].startswith("Occasion gift")
    assert "membership_anniversary gift" in lines[0]["reason"]


async def test_wedding_anniversary(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    await new_rule(client, club, "wedding_anniversary", points=400)
    member = await enrol(client, club, wedding_date="۱۳۹۸/۰۴/۱۵")
    assert member["wedding_date_jalali"] == "1398/04/15"
    single = await enrol(client, club)

    assert await run_occasions(db, tehran(1405, 4, 15)) == 1
    assert await gifted_points(client, club, member["id"]) == [400]
    assert await gifted_points(client, club, single["id"]) == []


async def test_a_wedding_date_that_is_not_a_date_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await client.patch(
        f"/api/v1/members/{member['id']}", json={"wedding_date": "1398/13/40"}, headers=club.headers()
    )
    assert_refused(response, 422, "invalid_date")
    assert "تاریخ ازدواج" in response.json()["error"]["message"]
    read = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers())
    assert read.json()["wedding_date"] is None


async def test_nowruz_gift_once_a_year(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    await new_rule(client, club, "nowruz", points=1000)
    members = [await enrol(client, club) for _ in range(3)]
    blocked = await enrol(client, club)
    await client.post(
        f"/api/v1/members/{blocked['id']}/block", json={"reason": "fraud"}, headers=club.headers()
    )

    assert await run_occasions(db, tehran(1406, 1, 1)) == 3
    assert await run_occasions(db, tehran(1406, 1, 1, hour=20)) == 0
    assert await run_occasions(db, tehran(1406, 1, 2)) == 0
    assert await run_occasions(db, tehran(1407, 1, 1)) == 3
    for m in members:
        assert await gifted_points(client, club, m["id"]) == [1000, 1000]
    assert await gifted_points(client, club, blocked["id"]) == []
    rules = (await client.get("/api/v1/occasions", headers=club.headers("manager"))).json()["items"]
    assert rules[0]["awarded"] == 6
    assert await ledger_problems(db) == []


async def test_yalda_reward(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    reward = (
        await client.post(
            "/api/v1/rewards",
            json={
                "name_fa": "ارسال رایگان",
                "name_en": "Free shipping",
                "kind": "free_shipping",
                "cost_points": 500,
            },
            headers=club.headers("manager"),
        )
    ).json()
    await new_rule(client, club, "yalda", reward_id=reward["id"])
    member = await enrol(client, club)

    assert await run_occasions(db, tehran(1405, 9, 30)) == 1
    assert await run_occasions(db, tehran(1405, 9, 30)) == 0
    instances = (await client.get(f"/api/v1/members/{member['id']}/rewards", headers=club.headers())).json()[
        "items"
    ]
    assert [(i["reward_id"], i["status"], i["points"]) for i in instances] == [(reward["id"], "issued", 0)]
    assert await gifted_points(client, club, member["id"]) == []  # a gift costs the member no points
    cancelled = await client.post(
        f"/api/v1/reward-instances/{instances[0]['code']}/cancel", headers=club.headers("manager")
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await ledger_problems(db) == []


async def test_a_rule_for_gold_members_only_passes_the_others_by(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    assert (
        await client.put("/api/v1/tiers", json=LADDER, headers=club.headers("manager"))
    ).status_code == 200
    await new_rule(client, club, "yalda", points=70, tiers=["gold"])
    gold = await enrol(client, club)
    other = await enrol(client, club)
    async with db.transaction() as session:
        await tiers.assign(
            session, club.tenant_id, gold["id"], tiers.TierAssign(level="gold", reason="vip list"), "t"
        )

    assert await run_occasions(db, tehran(1405, 9, 30)) == 1
    assert await gifted_points(client, club, gold["id"]) == [70]
    assert await gifted_points(client, club, other["id"]) == []


async def test_occasion_rules_are_for_managers_and_a_gift_needs_points_or_a_reward(
    client: httpx.AsyncClient, club: Club
) -> None:
    body = {"kind": "nowruz", "name_fa": "نوروز", "name_en": "Nowruz", "points": 10}
    assert (
        await client.post("/api/v1/occasions", json=body, headers=club.headers("cashier"))
    ).status_code == 403
    empty = await client.post(
        "/api/v1/occasions", json={**body, "points": 0}, headers=club.headers("manager")
    )
    assert_refused(empty, 422, "invalid_input")
    unknown = await client.post(
        "/api/v1/occasions", json={**body, "tiers": ["platinum"]}, headers=club.headers()
    )
    assert unknown.status_code == 422
    assert (await client.get("/api/v1/occasions", headers=club.headers())).json()["items"] == []
    made = await new_rule(client, club, "nowruz", points=10)
    changed = await client.patch(
        f"/api/v1/occasions/{made['id']}", json={"active": False, "points": 20}, headers=club.headers()
    )
    assert (changed.json()["active"], changed.json()["points"]) == (False, 20)
