"""Must show 5 on PostgreSQL: the same jobs run by two processes at the same moment do the work once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import httpx
import pytest
from job_helpers import ONCE, busy_club, snapshot
from sqlalchemy import func, select, update

from bashgah.core.db import Database
from bashgah.core.jalali import utcnow
from bashgah.jobs import registry
from bashgah.models import Notice, OccasionAward, PointLot, Transfer
from bashgah.notices.tasks import record_expiring
from bashgah.occasions.tasks import award_tenant
from occasions.occasion_helpers import new_rule, tehran
from scenarios import member_with
from support import Club, enrol, execute, ledger_problems

T = TypeVar("T")


def postgres_only(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has one writer: runs cannot overlap there")


async def two_processes(db: Database, work: Callable[[Database], Awaitable[T]]) -> list[T]:
    """``work`` started at the same moment by this process and by a second one (its own engine and
    connections); what each returned."""
    other = Database(db.url, pool_size=5)
    try:
        return list(await asyncio.gather(work(db), work(other)))
    finally:
        await other.dispose()


async def test_two_processes_running_every_job_at_once_do_each_piece_of_work_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    postgres_only(db)
    await busy_club(client, club, db, utcnow())
    now = utcnow()
    mine, theirs = await two_processes(db, lambda database: registry.run_all(database, now))

    together = {a.name: a.done + b.done for a, b in zip(mine, theirs, strict=True)}
    assert {name: together[name] for name in ONCE} == ONCE
    assert not any(r.failed for r in mine + theirs)
    after = await snapshot(db)
    await registry.run_all(db, now)
    assert await snapshot(db) == after
    assert await ledger_problems(db) == []


async def test_two_occasion_runs_that_overlap_give_each_member_one_nowruz_gift(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    """Without the job's advisory lock (both go straight to the work): the unique award row decides."""
    postgres_only(db)
    await new_rule(client, club, "nowruz", points=100)
    members = [await enrol(client, club) for _ in range(10)]
    nowruz = tehran(1406, 1, 1)

    async def run(database: Database) -> int:
        async with database.transaction() as session:
            return await award_tenant(session, club.tenant_id, nowruz)

    given = await two_processes(db, run)

    assert sum(given) == len(members)
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(OccasionAward)) == len(members)
        gifts = await session.scalar(
            select(func.count()).select_from(Transfer).where(Transfer.code == "occasion")
        )
        assert gifts == len(members)
    assert await ledger_problems(db) == []


async def test_two_notice_runs_that_overlap_record_the_expiring_notice_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    postgres_only(db)
    await member_with(client, club, 40)
    now = utcnow()
    await execute(db, update(PointLot).values(expires_at=now + timedelta(days=3)))

    async def run(database: Database) -> int:
        async with database.transaction() as session:
            return await record_expiring(session, club.tenant_id, now)

    recorded = await two_processes(db, run)

    assert sorted(recorded) == [0, 1]
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Notice)) == 1
