"""Lots: each credit to a member's account, with its own dates; spending takes them in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.types import UTCDateTime
from bashgah.ledger import rules
from bashgah.ledger.accounts import AccountLike
from bashgah.ledger.assets import MEMBER_POINTS, Asset
from bashgah.ledger.journal import Journal, recorded_at
from bashgah.models import PointLot

_lots = cast(Table, PointLot.__table__)
_INSERT_LOT = insert(_lots)
_NOW = bindparam("now", type_=UTCDateTime())
_SOON = bindparam("soon", type_=UTCDateTime())
#: Past its date but not yet posted as expired by the job: such points are gone for the member already.
_EXPIRED = and_(_lots.c.expires_at.is_not(None), _lots.c.expires_at <= _NOW)


def _lot_sum(*when: Any) -> Any:
    return func.coalesce(func.sum(case((and_(*when), _lots.c.remaining), else_=0)), 0)


_LOT_TOTALS = select(
    _lot_sum(~_EXPIRED, _lots.c.available_at <= _NOW),
    _lot_sum(~_EXPIRED, _lots.c.available_at > _NOW),
    _lot_sum(~_EXPIRED, _lots.c.expires_at.is_not(None), _lots.c.expires_at <= _SOON),
    func.min(case((~_EXPIRED, _lots.c.expires_at), else_=None)),
    _lot_sum(_EXPIRED),
).where(_lots.c.account_id == bindparam("account_id"), _lots.c.remaining > 0)


async def add_lot(
    j: Journal,
    account: AccountLike,
    transfer_id: int,
    amount: int,
    available_at: datetime,
    expires_at: datetime | None,
    purchase_id: int | None = None,
) -> None:
    """Record points just credited (and posted in ``j``) as a lot.

    When the account was negative, the credit pays the debt first and only the rest is spendable.
    """
    balance_before = j.balance(account) - amount
    spendable = rules.lot_credit_after_debt(balance_before, amount)
    connection = await j.session.connection()
    await connection.execute(
        _INSERT_LOT,
        {
            "tenant_id": j.tenant_id,
            "account_id": account.id,
            "transfer_id": transfer_id,
            "purchase_id": purchase_id,
            "amount": amount,
            "remaining": spendable,
            "available_at": available_at,
            "expires_at": expires_at,
            "created_at": recorded_at(),
        },
    )


def spend_order() -> tuple[object, ...]:
    # Soonest-expiring first; lots that never expire last; then oldest.
    return (PointLot.expires_at.is_(None), PointLot.expires_at, PointLot.available_at, PointLot.id)


def spendable_now(account_id: int, now: datetime) -> tuple[Any, ...]:
    """The conditions of a lot the member can spend at ``now``: available, not expired, not empty."""
    return (
        PointLot.account_id == account_id,
        PointLot.remaining > 0,
        PointLot.available_at <= now,
        or_(PointLot.expires_at.is_(None), PointLot.expires_at > now),
    )


async def spendable_lots(session: AsyncSession, account_id: int, now: datetime) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(PointLot.id, PointLot.remaining)
        .where(*spendable_now(account_id, now))
        .order_by(*spend_order())  # type: ignore[arg-type]
    )
    return [(lot_id, remaining) for lot_id, remaining in rows]


async def all_lots(
    session: AsyncSession, account_id: int, first_purchase: int | None = None
) -> list[tuple[int, int]]:
    """Every lot with points left (pending ones too), the given purchase's own lots first."""
    own = case((PointLot.purchase_id == first_purchase, 0), else_=1) if first_purchase else None
    order = ((own,) if own is not None else ()) + spend_order()
    rows = await session.execute(
        select(PointLot.id, PointLot.remaining)
        .where(PointLot.account_id == account_id, PointLot.remaining > 0)
        .order_by(*order)  # type: ignore[arg-type]
    )
    return [(lot_id, remaining) for lot_id, remaining in rows]


async def change_lots(
    session: AsyncSession, changes: list[tuple[int, int]] | list[list[int]], sign: int
) -> None:
    for lot_id, n in changes:
        await session.execute(
            update(PointLot)
            .where(PointLot.id == lot_id)
            .values(remaining=PointLot.remaining + sign * n)
            .execution_options(synchronize_session=False)
        )


async def take(
    session: AsyncSession,
    account: AccountLike,
    amount: int,
    now: datetime,
    asset: Asset = MEMBER_POINTS,
    pending: bool = False,
) -> list[tuple[int, int]]:
    """Take ``amount`` from the account's available lots (``pending``: from every lot with something
    left), soonest-expiring first, or raise the asset's shortfall error naming what there is."""
    lots = await (all_lots(session, account.id) if pending else spendable_lots(session, account.id, now))
    there = sum(n for _, n in lots)
    if amount > there:
        raise asset.shortfall(there, amount)
    taken = rules.take_in_order(lots, amount)
    await change_lots(session, taken, -1)
    return taken


async def take_spendable(
    session: AsyncSession, account: AccountLike, points: int, now: datetime
) -> list[tuple[int, int]]:
    """Take ``points`` from available lots, soonest-expiring first, or raise InsufficientPoints."""
    return await take(session, account, points, now)


class LotTotals(NamedTuple):
    """What an account's lots hold at a moment."""

    available: int
    pending: int
    #: Of available and pending, what expires within 30 days.
    expiring: int
    next_expiry: datetime | None
    #: Past their date, not yet posted as ``expire`` by the job (which will take exactly these).
    expired: int


async def lot_totals(session: AsyncSession, account_id: int, now: datetime) -> LotTotals:
    """What the account's lots hold at ``now`` (one query)."""
    connection = await session.connection()
    row = (
        await connection.execute(
            _LOT_TOTALS, {"account_id": account_id, "now": now, "soon": now + timedelta(days=30)}
        )
    ).one()
    return LotTotals(int(row[0]), int(row[1]), int(row[2]), row[3], int(row[4]))


class Figures(NamedTuple):
    """An account's balance as a member sees it at a moment."""

    lots: LotTotals
    #: What open holds keep.
    reserved: int
    #: The ledger balance less what is past its date and not yet posted as expired: points (or rials)
    #: past their date are gone for the member even before the expiry job posts them, so ``total``
    #: always equals ``available + pending + reserved``.
    total: int

    def named(self, unit: str = "") -> dict[str, Any]:
        """The figures under the API's names (``available``, ``expiring_30d``…), each amount's name
        ending in ``unit`` (the wallet's ``_rials``); ``reserved`` is the caller's to add."""
        lots = self.lots
        amounts = {"available": lots.available, "pending": lots.pending, "expiring_30d": lots.expiring}
        return {f"{k}{unit}": v for k, v in amounts.items()} | {
            "next_expiry_at": lots.next_expiry,
            f"total{unit}": self.total,
        }


async def figures(
    session: AsyncSession, account: AccountLike, now: datetime, j: Journal | None = None
) -> Figures:
    """The balance with this transaction's changes; pass the journal that made them (closed or not)."""
    posted, held = j.totals(account) if j is not None else (account.posted, account.pending)
    lots = await lot_totals(session, account.id, now)
    return Figures(lots, held, posted - lots.expired)
