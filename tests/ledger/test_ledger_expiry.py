"""Points expire on their date, exactly once, and the soonest-expiring points are spent first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from bashgah.core.db import Database
from bashgah.ledger.tasks import expire_points
from bashgah.models import PointLot
from scenarios import member_with
from support import Club, balance, bought, enrol, execute, give_points, ledger_problems, reserve, set_program


async def lot_ids(db: Database) -> list[int]:
    async with db.transaction() as session:
        return list((await session.scalars(select(PointLot.id).order_by(PointLot.id))).all())


async def expire_on(db: Database, lot_id: int, when: datetime | None) -> None:
    await execute(db, update(PointLot).where(PointLot.id == lot_id).values(expires_at=when))


async def lapse_the_only_lot(db: Database) -> None:
    """The date of the one lot of points there is passes now."""
    (lot,) = await lot_ids(db)
    await expire_on(db, lot, datetime.now(UTC) - timedelta(seconds=1))


async def run_expiry(db: Database) -> int:
    async with db.transaction() as session:
        return await expire_points(session)


async def test_the_expiry_job_expires_points_past_their_date_exactly_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    await bought(client, club, member["id"], 400_000)
    old, recent = await lot_ids(db)
    await expire_on(db, old, datetime.now(UTC) - timedelta(hours=1))

    assert await run_expiry(db) == 100
    assert await run_expiry(db) == 0

    summary = await balance(client, club, member["id"])
    assert (summary["available"], summary["total"]) == (40, 40)
    ledger = (
        await client.get(f"/api/v1/members/{member['id']}/ledger", headers=club.headers("cashier"))
    ).json()
    expired = [line for line in ledger["items"] if line["code"] == "expire"]
    assert [(line["points"], line["ref_type"], line["ref_id"]) for line in expired] == [(-100, "lot", old)]
    assert await ledger_problems(db) == []


async def test_only_what_is_left_of_a_lot_expires(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    await bought(client, club, member["id"], 60_000, redeem_points=60)
    await lapse_the_only_lot(db)
    assert await run_expiry(db) == 40
    assert (await balance(client, club, member["id"]))["total"] == 0
    assert await ledger_problems(db) == []


async def test_points_past_their_date_cannot_be_spent_even_before_the_job_runs(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from support import purchase

    member = await member_with(client, club, 100)
    await lapse_the_only_lot(db)
    assert (await balance(client, club, member["id"]))["available"] == 0
    response = await purchase(client, club, member["id"], 200_000, redeem=1)
    assert response.status_code == 409


async def test_points_held_when_their_date_passes_expire_after_the_hold_is_cancelled(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    hold = (await reserve(client, club, member["id"], 100)).json()
    await lapse_the_only_lot(db)
    assert await run_expiry(db) == 0  # nothing left in the lot: the points are held
    await client.post(f"/api/v1/redemptions/{hold['id']}/cancel", headers=club.headers("cashier"))
    assert await run_expiry(db) == 100
    assert (await balance(client, club, member["id"]))["total"] == 0
    assert await ledger_problems(db) == []


async def test_the_soonest_expiring_points_are_spent_first(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    await give_points(client, club, member["id"], 100)  # expires in 12 months
    await give_points(client, club, member["id"], 100)
    await give_points(client, club, member["id"], 100)
    late, soon, never = await lot_ids(db)
    await expire_on(db, soon, datetime.now(UTC) + timedelta(days=10))
    await expire_on(db, never, None)
    assert (await balance(client, club, member["id"]))["expiring_30d"] == 100

    await bought(client, club, member["id"], 60_000, redeem_points=60)
    assert (await balance(client, club, member["id"]))["expiring_30d"] == 40
    await bought(client, club, member["id"], 100_000, redeem_points=100)
    assert (await balance(client, club, member["id"]))["expiring_30d"] == 0

    async with db.transaction() as session:
        remaining = dict((await session.execute(select(PointLot.id, PointLot.remaining))).all())
    assert (remaining[soon], remaining[late], remaining[never]) == (0, 40, 100)


async def test_a_reservation_holds_the_soonest_expiring_points(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    await give_points(client, club, member["id"], 100)
    late, soon = await lot_ids(db)
    await expire_on(db, soon, datetime.now(UTC) + timedelta(days=3))
    assert (await reserve(client, club, member["id"], 150)).status_code == 201
    async with db.transaction() as session:
        remaining = dict((await session.execute(select(PointLot.id, PointLot.remaining))).all())
    assert (remaining[soon], remaining[late]) == (0, 50)


async def test_expiry_at_the_end_of_the_jalali_year(client: httpx.AsyncClient, club: Club) -> None:
    from bashgah.core.jalali import end_of_jalali_year

    await set_program(client, club, expiry_mode="jalali_year_end")
    member = await member_with(client, club, 10)
    next_expiry = datetime.fromisoformat((await balance(client, club, member["id"]))["next_expiry_at"])
    assert next_expiry == end_of_jalali_year(datetime.now(UTC))


async def test_two_expiry_jobs_at_once_expire_each_point_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    import asyncio

    members = [await enrol(client, club) for _ in range(4)]
    for member in members:
        await give_points(client, club, member["id"], 25)
    await execute(db, update(PointLot).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    results = await asyncio.gather(run_expiry(db), run_expiry(db), run_expiry(db))
    assert sum(results) == 100
    for member in members:
        assert (await balance(client, club, member["id"]))["total"] == 0
    assert await ledger_problems(db) == []
