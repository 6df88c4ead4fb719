"""Tier scenarios as a club owner tells them: qualify, upgrade at once, review, grace, downgrade, lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from bashgah.core.db import Database
from bashgah.models import MemberTier
from bashgah.tiers import service as tiers
from scenarios import BRONZE, ladder, level
from support import Club, bought, enrol, purchase

LADDER = ladder(
    BRONZE,
    level("silver", "نقره‌ای", "Silver", 10_000_000, earn_multiplier_pct=125),
    level("gold", "طلایی", "Gold", 50_000_000, earn_multiplier_pct=150),
    level("vip", "ویژه", "VIP", 200_000_000, earn_multiplier_pct=200),
)


async def setup_ladder(client: httpx.AsyncClient, club: Club, **changes: Any) -> None:
    response = await client.put("/api/v1/tiers", json={**LADDER, **changes}, headers=club.headers("manager"))
    assert response.status_code == 200, response.text


async def member_on_ladder(client: httpx.AsyncClient, club: Club, **changes: Any) -> dict[str, Any]:
    """The club's ladder (with ``changes``) and a new member on its first level."""
    await setup_ladder(client, club, **changes)
    return await enrol(client, club)


def days_ago(days: int) -> str:
    """A sale's ``occurred_at`` that many days back."""
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def tier_of(client: httpx.AsyncClient, club: Club, member_id: int, lang: str = "en") -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/members/{member_id}/tier", headers=club.headers(**{"Accept-Language": lang})
    )
    assert response.status_code == 200, response.text
    return response.json()


async def end_period(db: Database, member_id: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(MemberTier)
            .where(MemberTier.member_id == member_id)
            .values(review_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def review(db: Database) -> int:
    async with db.transaction() as session:
        return await tiers.review_due(session)


async def test_spending_past_a_threshold_upgrades_at_once_and_the_history_says_so(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    assert (await tier_of(client, club, member["id"]))["level"]["code"] == "bronze"

    assert (await bought(client, club, member["id"], 6_000_000))["tier_upgrade"] is None
    progress = await tier_of(client, club, member["id"])
    assert progress["level"]["code"] == "bronze"
    assert progress["next_level"]["code"] == "silver" and progress["to_next"] == 4_000_000

    sale = await bought(client, club, member["id"], 5_000_000)  # 11,000,000 in the window: silver, now
    assert sale["tier_upgrade"] == "silver"
    now = await tier_of(client, club, member["id"], "fa")
    assert now["level"]["code"] == "silver" and now["level"]["name"] == "نقره‌ای"
    assert [(h["kind"], h["from_level"], h["to_level"]) for h in now["history"]] == [
        ("upgrade", "bronze", "silver")
    ]
    assert now["review_at"] is not None


async def test_a_member_who_still_earns_their_level_keeps_it_for_another_period(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    await bought(client, club, member["id"], 12_000_000, occurred_at=days_ago(10))
    await end_period(db, member["id"])
    assert await review(db) == 0
    after = await tier_of(client, club, member["id"])
    assert after["level"]["code"] == "silver" and after["grace_until"] is None


async def test_below_the_level_at_period_end_grace_first_then_one_level_down(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    await bought(
        client, club, member["id"], 60_000_000, occurred_at=days_ago(400)
    )  # gold, long ago: outside the window now
    async with db.transaction() as session:  # it was earned when the purchase was recent
        await tiers.assign(
            session, club.tenant_id, member["id"], tiers.TierAssign(level="gold", reason="migration"), "t"
        )
    await end_period(db, member["id"])

    assert await review(db) == 1  # grace
    graced = await tier_of(client, club, member["id"])
    assert graced["level"]["code"] == "gold" and graced["grace_until"] is not None
    assert graced["projected"]["code"] == "silver"
    assert await review(db) == 0  # grace not over yet: nothing more, however often the job runs

    await end_period(db, member["id"])
    assert await review(db) == 1
    down = await tier_of(client, club, member["id"])
    assert down["level"]["code"] == "silver"  # one level down, not straight to bronze
    assert [h["kind"] for h in down["history"]][:2] == ["downgrade", "grace"]


async def test_recompute_mode_goes_straight_to_the_level_earned(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club, downgrade="recompute", grace_days=0)
    async with db.transaction() as session:
        await tiers.assign(
            session, club.tenant_id, member["id"], tiers.TierAssign(level="vip", reason="launch"), "t"
        )
    await bought(client, club, member["id"], 15_000_000)
    await end_period(db, member["id"])
    assert await review(db) == 1
    assert (await tier_of(client, club, member["id"]))["level"]["code"] == "silver"


async def test_a_locked_manual_level_is_kept_and_only_managers_may_set_it(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    body = {"level": "gold", "reason": "مشتری سازمانی", "lock": True}
    cashier = await client.post(
        f"/api/v1/members/{member['id']}/tier", json=body, headers=club.headers("cashier")
    )
    assert cashier.status_code == 403
    locked = await client.post(
        f"/api/v1/members/{member['id']}/tier", json=body, headers=club.headers("manager")
    )
    assert locked.status_code == 200, locked.text
    assert locked.json()["level"]["code"] == "gold" and locked.json()["locked"] is True

    await bought(client, club, member["id"], 250_000_000)  # would be VIP
    await end_period(db, member["id"])
    assert await review(db) == 0
    kept = await tier_of(client, club, member["id"])
    assert kept["level"]["code"] == "gold" and kept["history"][0]["reason"] == "مشتری سازمانی"

    unlocked = await client.post(f"/api/v1/members/{member['id']}/tier/unlock", headers=club.headers("owner"))
    assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
    await bought(client, club, member["id"], 1_000)
    assert (await tier_of(client, club, member["id"]))["level"]["code"] == "vip"


async def test_a_ladder_needs_an_entry_level_and_distinct_thresholds(
    client: httpx.AsyncClient, club: Club
) -> None:
    silver = {"code": "silver", "name_fa": "نقره‌ای", "name_en": "Silver", "threshold_rials": 5}
    bad = {**LADDER, "levels": [silver]}
    response = await client.put("/api/v1/tiers", json=bad, headers=club.headers("owner"))
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"
    # A threshold in another unit than the ladder counts is refused too.
    bronze = {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold_points": 0}
    response = await client.put("/api/v1/tiers", json={**LADDER, "levels": [bronze]}, headers=club.headers())
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"
    assert (await client.get("/api/v1/tiers", headers=club.headers())).status_code == 404


async def test_a_threshold_names_its_unit_and_the_old_threshold_is_read_until_0_3(
    client: httpx.AsyncClient, club: Club
) -> None:
    old = {**LADDER, "levels": [{**lv, "threshold": lv["threshold_rials"]} for lv in LADDER["levels"]]}
    for lv in old["levels"]:
        del lv["threshold_rials"]
    response = await client.put("/api/v1/tiers", json=old, headers=club.headers("owner"))
    assert response.status_code == 200, response.text
    levels = response.json()["levels"]
    assert [(lv["threshold_rials"], lv["threshold_points"], lv["threshold_visits"]) for lv in levels][:2] == [
        (0, None, None),
        (10_000_000, None, None),
    ]
    assert all("threshold" not in lv for lv in levels)


async def test_a_silver_member_earns_a_quarter_more_points_on_every_purchase(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    # The sale that makes her silver earns as silver already (README, "Tiers"): 1,000 × 1.25.
    first = await bought(client, club, member["id"], 10_000_000)
    assert first["points_earned"] == 1_250 and first["tier_upgrade"] == "silver"
    second = await bought(client, club, member["id"], 1_000_000)  # as silver: 100 × 1.25
    assert second["points_earned"] == 125


async def test_spend_for_tiers_is_what_was_paid_after_a_coupon(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await setup_ladder(client, club)
    batch = await client.post(
        "/api/v1/coupons/batches",
        json={"name": "نیم‌بها", "code": "HALF1405", "discount_type": "fixed", "discount_rials": 5_000_000},
        headers=club.headers("manager"),
    )
    assert batch.status_code == 201, batch.text
    member = await enrol(client, club)
    sale = await purchase(client, club, member["id"], 14_000_000, coupon="HALF1405")
    assert sale.status_code == 201, sale.text
    assert sale.json()["tier_upgrade"] is None  # 9,000,000 paid: still short of silver's 10,000,000
    assert (await tier_of(client, club, member["id"]))["value"] == 9_000_000


async def test_a_sale_entered_with_a_date_before_the_window_does_not_lift_the_member(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    await bought(client, club, member["id"], 8_000_000)
    late_entry = await bought(
        client, club, member["id"], 5_000_000, occurred_at=days_ago(400)
    )  # outside 12 months
    assert late_entry["tier_upgrade"] is None
    assert (await tier_of(client, club, member["id"]))["value"] == 8_000_000
    assert (await bought(client, club, member["id"], 2_000_000))["tier_upgrade"] == "silver"


async def test_on_a_visits_ladder_the_third_visit_upgrades_at_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    levels = [
        {"code": "new", "name_fa": "تازه", "name_en": "New", "threshold_visits": 0},
        {"code": "regular", "name_fa": "همیشگی", "name_en": "Regular", "threshold_visits": 3},
    ]
    member = await member_on_ladder(client, club, metric="visits", levels=levels)
    assert (await bought(client, club, member["id"], 100_000))["tier_upgrade"] is None
    assert (await bought(client, club, member["id"], 100_000))["tier_upgrade"] is None
    assert (await bought(client, club, member["id"], 100_000))["tier_upgrade"] == "regular"
    assert (await bought(client, club, member["id"], 100_000))["tier_upgrade"] is None
