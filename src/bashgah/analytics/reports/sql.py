"""SQL the reports share: one expression per dialect where PostgreSQL and SQLite differ.

Definitions (the same in every report):

* **Net revenue** of a purchase = ``total_rials − refunded_rials`` (what the basket was worth, after
  returns; a points discount is the programme's cost, counted under programme health).
* A **visit** is a purchase whose net revenue is above zero (a fully returned basket is not one).
* **Scores 1–5** are quintiles of the members' rank: ``1 + 5·(rank − 1) // n`` with SQL ``RANK()``, so
  equal values share a score (the lower one) and 5 is always the best.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, text
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.jalali import TEHRAN
from bashgah.core.types import UTCDateTime
from bashgah.models import Member, Purchase, PurchaseItem

#: PostgreSQL's memory per sort or hash within a report's transaction (``SET LOCAL``).
REPORT_WORK_MEM = "256MB"

P = Purchase.__table__.c
M = Member.__table__.c
I = PurchaseItem.__table__.c  # noqa: E741


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def at(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, UTCDateTime)


def epoch_days(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    """Days since 1970-01-01 UTC as a real number."""
    if is_postgres(session):
        return func.extract("epoch", column) / 86400.0
    return func.julianday(column) - 2440587.5


async def tehran_parts(session: AsyncSession) -> tuple[Any, Any]:
    """SQL for the Tehran-time weekday (0 = Sunday) and hour of ``purchases.occurred_at``.

    PostgreSQL knows the zone. SQLite does not, and Iran's offset changed over the years (summer time
    until 2022), so a deterministic Python function does the conversion there.
    """
    if is_postgres(session):
        local = func.timezone("Asia/Tehran", P.occurred_at)
        return cast(func.extract("dow", local), Integer), cast(func.extract("hour", local), Integer)
    connection = await session.connection()

    def register(sync_connection: Any) -> None:
        sync_connection.connection.dbapi_connection.create_function(
            "tehran_local", 1, _sqlite_tehran_local, deterministic=True
        )

    await connection.run_sync(register)
    local = func.tehran_local(P.occurred_at)
    return cast(func.strftime("%w", local), Integer), cast(func.strftime("%H", local), Integer)


def _sqlite_tehran_local(stored: str | None) -> str | None:
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(TEHRAN)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


async def tune(session: AsyncSession) -> None:
    """Give this transaction's aggregations and sorts memory: with PostgreSQL's default (4 MB) a report
    over a million members spills its hash aggregates and window sorts to disk."""
    if is_postgres(session):
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def whole_days(session: AsyncSession, days: Any) -> ColumnElement[Any]:
    """Whole days (rounded down) of a non-negative number of days."""
    if is_postgres(session):
        return cast(func.floor(days), Integer)
    return cast(days, Integer)  # SQLite truncates, which is the floor of a non-negative number


def net() -> ColumnElement[int]:
    return P.total_rials - P.refunded_rials


def in_window(tenant_id: int, start: datetime, as_of: datetime) -> ColumnElement[bool]:
    """The tenant's purchases after ``start`` up to ``as_of``."""
    return and_(P.tenant_id == tenant_id, P.occurred_at > at(start), P.occurred_at <= at(as_of))


def window_start(as_of: datetime, window_days: int) -> datetime:
    return as_of - timedelta(days=window_days)


def score(order: Any) -> ColumnElement[Any]:
    """Quintile 1–5 of the rank: equal values share the lower score."""
    # ``//``: integer division on both databases (``/`` would be true division).
    return (5 * (func.rank().over(order_by=order) - 1)) // func.count().over() + 1


def month_index(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Which of the months (0 … len(bounds) − 2) ``column`` falls in, or NULL outside them."""
    whens = [(column < at(bounds[i + 1]), i) for i in range(len(bounds) - 1)]
    return case((column < at(bounds[0]), None), *whens, else_=None)
