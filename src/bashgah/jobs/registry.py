"""The jobs, in the order ``bashgah jobs run`` runs them, and how one is run.

Each job works one tenant at a time, in one transaction per tenant. On PostgreSQL that transaction first
takes ``pg_try_advisory_xact_lock(<job>, <tenant>)``: when another process holds it, the tenant is
skipped (the other one is doing the same work), so two cron runs at once do the work once. On SQLite
every transaction is the single writer already. Under the lock every job is idempotent anyway — expiry
and release re-read under the member's lock, occasion gifts and notices have unique keys, tier reviews
move ``review_at`` forward and scores replace the tenant's rows — so running it again adds nothing.

Pending points need no job: a lot's ``available_at`` is compared with the clock whenever points are
read or spent, so they become spendable on time without anything being written.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.db import Database
from bashgah.core.jalali import utcnow
from bashgah.models import Tenant

log = logging.getLogger("bashgah.jobs")

TenantWork = Callable[[AsyncSession, int, datetime], Awaitable[int]]
#: First key of every job's advisory lock (the second is the tenant id); the job's place is added.
LOCK_BASE = 0x10B0


@dataclass(frozen=True)
class Job:
    name: str
    #: What the returned number counts, e.g. "points expired".
    counts: str
    work: TenantWork
    #: Run once per Tehran day by the in-process scheduler (the others run every round).
    daily: bool


@dataclass
class JobResult:
    name: str
    counts: str
    done: int = 0
    tenants: int = 0
    #: Tenants another process was working on at the same moment.
    skipped: int = 0
    #: Tenants whose transaction failed and was rolled back (the error is logged).
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.name}: {self.done} {self.counts} ({self.tenants} tenant(s)"
        if self.skipped:
            text += f", {self.skipped} skipped: running elsewhere"
        if self.failed:
            text += f", {self.failed} FAILED"
        return text + ")"


async def _release(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    from bashgah.redemptions.service import release_lapsed

    return await release_lapsed(session, tenant_id=tenant_id, now=now)


async def _expire(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    from bashgah.ledger.tasks import expire_points

    return await expire_points(session, tenant_id=tenant_id, now=now)


async def _expire_stored_value(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    """Wallet lots, then gift cards: each domain expires its own, through the ledger."""
    from bashgah.giftcards.tasks import expire_cards
    from bashgah.wallet.tasks import expire_wallets

    lots = await expire_wallets(session, tenant_id=tenant_id, now=now)
    return lots + await expire_cards(session, tenant_id=tenant_id, now=now)


async def _tiers(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    from bashgah.tiers.service import review_due

    return await review_due(session, tenant_id=tenant_id, now=now)


async def _occasions(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    from bashgah.occasions.tasks import award_occasions

    return await award_occasions(session, tenant_id, now)


async def _notices(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    from bashgah.notices.tasks import record_expiring

    return await record_expiring(session, tenant_id, now)


async def _scores(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    from bashgah.segments.tasks import score_tenant

    return await score_tenant(session, tenant_id, now)


#: In running order: holds and expiry first (balances are then exact), then levels, gifts, notices about
#: what is left to expire, and the scores that segments read.
JOBS: tuple[Job, ...] = (
    Job("release", "points given back from lapsed holds", _release, daily=False),
    Job("expire", "points expired", _expire, daily=False),
    Job("expire_wallets", "rials of wallets and gift cards expired", _expire_stored_value, daily=False),
    Job("tiers", "levels reviewed", _tiers, daily=True),
    Job("occasions", "occasion gifts given", _occasions, daily=True),
    Job("notices", "expiring-soon notices recorded", _notices, daily=True),
    Job("scores", "members scored", _scores, daily=True),
)
BY_NAME = {job.name: job for job in JOBS}
#: Shown by ``bashgah jobs list``: work that needs no job, and why.
NO_JOB_NEEDED = {
    "pending": "pending points become available when their lot's available_at passes; computed at read time",
}


def get(name: str) -> Job:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown job {name!r}; one of {', '.join(BY_NAME)}") from None


async def _tenant_ids(db: Database) -> list[int]:
    async with db.transaction() as session:
        return list((await session.scalars(select(Tenant.id).order_by(Tenant.id))).all())


async def _locked(session: AsyncSession, job: Job, tenant_id: int) -> bool:
    """Take the (job, tenant) advisory lock for this transaction; False when another process holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = LOCK_BASE + JOBS.index(job)
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(key, tenant_id))))


async def run(db: Database, name: str, now: datetime | None = None) -> JobResult:
    """Run one job for every tenant, one transaction each. A tenant's failure is logged (job, tenant and
    the error's class — never the data) and rolled back; the other tenants still run."""
    job = get(name)
    result = JobResult(job.name, job.counts)
    now = now or utcnow()  # one moment for every tenant of the run
    for tenant_id in await _tenant_ids(db):
        result.tenants += 1
        try:
            async with db.transaction() as session:
                if not await _locked(session, job, tenant_id):
                    result.skipped += 1
                    continue
                result.done += await job.work(session, tenant_id, now)
        except Exception as error:
            result.failed += 1
            result.errors.append(f"tenant {tenant_id}: {error.__class__.__name__}")
            log.error("job %s failed for tenant %s: %s", job.name, tenant_id, error.__class__.__name__)
    return result


async def run_all(db: Database, now: datetime | None = None) -> list[JobResult]:
    return [await run(db, job.name, now) for job in JOBS]
