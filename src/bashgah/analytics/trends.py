"""The club's figures month by month and its activity now, for the console's dashboard.

Months are Jalali in Persian and Gregorian in English, in Tehran time (``labels.month_starts``), like the
cohorts report. The definitions are the reports' ones (``analytics.reports``): net revenue is
``total_rials − refunded_rials`` and a visit is a purchase with net revenue above zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import labels
from bashgah.core.jalali import utcnow
from bashgah.core.types import UTCDateTime
from bashgah.models import Account, Member, Purchase, Transfer

P = Purchase.__table__.c
M = Member.__table__.c
T = Transfer.__table__.c


@dataclass(frozen=True)
class Month:
    label: str
    enrolled: int
    purchases: int
    revenue_rials: int
    #: As programme health counts them: earned, bonus and hand-given points less earn reversals…
    points_issued: int
    #: …points spent less those given back by returns, and points expired.
    points_redeemed: int
    points_expired: int


@dataclass(frozen=True)
class Activity:
    members: int
    active_30: int
    active_90: int
    enrolled_30: int


def _at(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, UTCDateTime)


def _month_of(column: Any, bounds: Sequence[datetime]) -> ColumnElement[Any]:
    """Which month (0 … len(bounds) − 2) ``column`` falls in; callers keep it inside the bounds."""
    return case(*((column < _at(bounds[i + 1]), i) for i in range(len(bounds) - 1)), else_=None)


async def monthly(
    session: AsyncSession, tenant_id: int, lang: str, months: int = 12, as_of: datetime | None = None
) -> list[Month]:
    """The last ``months`` calendar months, oldest first: new members, purchases, net revenue, and the
    points issued, redeemed and expired (the ledger's transfers, counted as programme health does)."""
    as_of = as_of or utcnow()
    starts = labels.month_starts(as_of, months, lang)
    bounds = [start for start, _ in starts]
    month = _month_of(P.occurred_at, bounds).label("month")
    sales = {
        row.month: row
        for row in await session.execute(
            select(
                month,
                func.count(P.id).label("purchases"),
                func.coalesce(func.sum(P.total_rials - P.refunded_rials), 0).label("revenue"),
            )
            .where(P.tenant_id == tenant_id, P.occurred_at >= _at(bounds[0]), P.occurred_at <= _at(as_of))
            .group_by(month)
        )
    }
    joined = _month_of(M.created_at, bounds).label("month")
    enrolled: dict[Any, int] = dict(
        (
            await session.execute(
                select(joined, func.count(M.id))
                .where(M.tenant_id == tenant_id, M.created_at >= _at(bounds[0]), M.created_at <= _at(as_of))
                .group_by(joined)
            )
        ).all()
    )
    credit = Account.__table__.alias("credit")
    moved_in = _month_of(T.created_at, bounds).label("month")
    flows: dict[Any, dict[tuple[str, bool], int]] = {}
    for index, code, kind, amount in await session.execute(
        select(moved_in, T.code, credit.c.kind, func.sum(T.amount))
        .join(credit, credit.c.id == T.credit_account_id)
        .where(T.tenant_id == tenant_id, T.created_at >= _at(bounds[0]), T.created_at <= _at(as_of))
        .group_by(moved_in, T.code, credit.c.kind)
    ):
        month_flows = flows.setdefault(index, {})
        key = (code, kind == "member")
        month_flows[key] = month_flows.get(key, 0) + int(amount)
    result = []
    for index in range(months):
        moved = flows.get(index, {})
        row = sales.get(index)
        result.append(
            Month(
                label=starts[index][1],
                enrolled=int(enrolled.get(index) or 0),
                purchases=int(row.purchases) if row else 0,
                revenue_rials=int(row.revenue) if row else 0,
                points_issued=sum(moved.get((code, True), 0) for code in ("earn", "bonus", "adjust"))
                - moved.get(("earn_reversal", False), 0),
                points_redeemed=moved.get(("redeem", False), 0) - moved.get(("redeem_return", True), 0),
                points_expired=moved.get(("expire", False), 0),
            )
        )
    return result


async def activity(session: AsyncSession, tenant_id: int, as_of: datetime | None = None) -> Activity:
    """Members, those with a visit in the last 30 and 90 days, and those enrolled in the last 30."""
    as_of = as_of or utcnow()

    async def visitors(days: int) -> int:
        return int(
            await session.scalar(
                select(func.count(func.distinct(P.member_id))).where(
                    P.tenant_id == tenant_id,
                    P.occurred_at > _at(as_of - timedelta(days=days)),
                    P.occurred_at <= _at(as_of),
                    P.total_rials - P.refunded_rials > 0,
                )
            )
            or 0
        )

    members = int(await session.scalar(select(func.count(M.id)).where(M.tenant_id == tenant_id)) or 0)
    enrolled = int(
        await session.scalar(
            select(func.count(M.id)).where(
                M.tenant_id == tenant_id,
                M.created_at > _at(as_of - timedelta(days=30)),
                M.created_at <= _at(as_of),
            )
        )
        or 0
    )
    return Activity(members, await visitors(30), await visitors(90), enrolled)
