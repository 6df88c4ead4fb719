"""Job: score every member with the RFM, CLV and churn reports and store the scores in ``member_scores``.

The segment conditions ``rfm_group``, ``clv`` and ``churn_risk`` read these rows, so that ``is_member``
on the sale path and a segment's count are single cheap queries: scoring ranks or fits a model over the
whole club (seconds to a minute at a million members), which belongs in a nightly job, not in a sale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import reports
from bashgah.core.jalali import utcnow
from bashgah.models import MemberScore, Purchase, Tenant

member_scores_t = cast(Table, MemberScore.__table__)
#: Rows per INSERT (well under every database's parameter limit per statement with executemany).
CHUNK = 5_000
#: The first key of the job's per-tenant advisory lock on PostgreSQL (the second is the tenant id).
SCORES_LOCK = 0x5C0E


async def _churn_ratios(session: AsyncSession, tenant_id: int, at: datetime) -> dict[int, float]:
    """Days since the last purchase ÷ mean days between purchases, as the churn report computes it
    (visits that count up to ``at``; a rhythm needs two of them at different moments). The report lists
    only the members above one ``k``; the job keeps every ratio so that any ``k`` can be asked."""
    p = Purchase.__table__.c
    rows = await session.execute(
        select(p.member_id, func.count(), func.min(p.occurred_at), func.max(p.occurred_at))
        .where(p.tenant_id == tenant_id, p.occurred_at <= at, p.total_rials - p.refunded_rials > 0)
        .group_by(p.member_id)
        .having(func.count() >= 2)
    )
    ratios: dict[int, float] = {}
    for member_id, visits, first_at, last_at in rows:
        span = (last_at - first_at).total_seconds() / 86400
        if span <= 0:
            continue
        since = (at - last_at).total_seconds() / 86400
        ratios[member_id] = since / (span / (visits - 1))
    return ratios


async def score_tenant(session: AsyncSession, tenant_id: int, at: datetime) -> int:
    """Replace the tenant's scores with those at ``at``; returns the number of members scored."""
    from bashgah.analytics.clv import NotEnoughData

    rows: dict[int, dict[str, Any]] = {}

    def row(member_id: int) -> dict[str, Any]:
        found = rows.get(member_id)
        if found is None:
            found = rows[member_id] = {
                "member_id": member_id,
                "tenant_id": tenant_id,
                "rfm_r": None,
                "rfm_f": None,
                "rfm_m": None,
                "rfm_group": None,
                "expected_value_365d_rials": None,
                "probability_alive": None,
                "churn_ratio": None,
                "scored_at": at,
            }
        return found

    rfm = await reports.rfm(session, tenant_id, "en", reports.Params(as_of=at, window_days=365))
    for scored in rfm.as_dicts("members"):
        r = row(scored["member_id"])
        r["rfm_r"], r["rfm_f"], r["rfm_m"] = scored["r"], scored["f"], scored["m"]
        r["rfm_group"] = scored["group_key"]
    try:
        clv = await reports.clv(session, tenant_id, "en", reports.Params(as_of=at))
    except NotEnoughData:
        pass  # too little history to fit the models: nobody has a CLV score
    else:
        for scored in clv.as_dicts("members"):
            r = row(scored["member_id"])
            r["expected_value_365d_rials"] = scored["expected_value_365d_rials"]
            r["probability_alive"] = scored["probability_alive"]
    for member_id, ratio in (await _churn_ratios(session, tenant_id, at)).items():
        row(member_id)["churn_ratio"] = ratio

    if session.get_bind().dialect.name == "postgresql":
        # Two runs at once wait here for each other's commit instead of inserting the same members
        # twice. An advisory lock, not a lock on the tenant's row: sales insert rows that refer to it.
        await session.execute(select(func.pg_advisory_xact_lock(SCORES_LOCK, tenant_id)))
    await session.execute(delete(member_scores_t).where(member_scores_t.c.tenant_id == tenant_id))
    values = list(rows.values())
    for start in range(0, len(values), CHUNK):
        await session.execute(insert(member_scores_t), values[start : start + CHUNK])
    return len(values)


async def score_members(session: AsyncSession) -> int:
    """Job (``bashgah jobs run scores``): score every tenant's members now and replace their stored
    scores, in the caller's one transaction. Safe to run twice. Returns the number of members scored."""
    return await score_all(session, utcnow())


async def score_all(session: AsyncSession, at: datetime) -> int:
    """:func:`score_members` as of ``at`` (the tests score at a fixed moment)."""
    tenant_ids = (await session.scalars(select(Tenant.id).order_by(Tenant.id))).all()
    scored = 0
    for tenant_id in tenant_ids:
        scored += await score_tenant(session, tenant_id, at)
    return scored
