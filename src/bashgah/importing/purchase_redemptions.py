"""Points spent in a purchases file, replayed in memory against the lots as the till would have spent
them at each sale's time (``importing.purchases`` writes what this works out)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.importing import bulk
from bashgah.importing.purchase_file import Sale
from bashgah.importing.report import RowError, say
from bashgah.importing.sources import Table
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.models import PointLot, Reservation, utcnow


@dataclass
class MemberBalance:
    """A member's points account (locked by the import) and its posted balance when locked."""

    id: int
    posted: int


@dataclass
class _Lot:
    order: tuple[Any, ...]
    id: int
    remaining: int
    available_at: datetime
    expires_at: datetime | None


def _spend_order(lot_id: int, available_at: datetime, expires_at: datetime | None) -> tuple[Any, ...]:
    # As ledger.service spends: soonest-expiring first, never-expiring last, then oldest, then by id.
    return (expires_at is None, expires_at or datetime.max, available_at, lot_id)


@dataclass
class Redemptions:
    """What spending points in the file does to lots: old lots' changes and new lots' remaining points."""

    taken_from_existing: dict[int, int] = field(default_factory=dict)
    new_lot_remaining: dict[int, int] = field(default_factory=dict)
    #: Sale index → [[lot id, points], …] its redeemed points came from, as the till records them, so
    #: that a refund gives them back to the same lots.
    allocations: dict[int, list[list[int]]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def _simulate(
    sales: list[Sale],
    order: list[int],
    earned: list[int],
    lot_ids: dict[int, int],
    posted: int,
    lots: list[_Lot],
    pending_days: int,
    expiry: tuple[str, int],
    label: str,
) -> Redemptions:
    """Replay one member's sales in time order, spending and earning points as the till would have.

    ``order`` are the member's sale indexes sorted by time; ``lots`` the member's existing lots with
    points left. A purchase spends from lots spendable at its own time, before it earns (as at the till).
    """
    result = Redemptions()
    existing = {lot.id for lot in lots}
    lots.sort(key=lambda lot: lot.order)
    balance = posted
    for i in order:
        sale = sales[i]
        at = sale.occurred_at
        if sale.redeem_points:
            spendable = [
                lot
                for lot in lots
                if lot.remaining > 0
                and lot.available_at <= at
                and (lot.expires_at is None or lot.expires_at > at)
            ]
            available = sum(lot.remaining for lot in spendable)
            if sale.redeem_points > available:
                result.errors.append(
                    RowError(
                        sale.line,
                        label,
                        say(
                            "not enough points: {available} spendable at the time of the sale, {wanted} to redeem",
                            "امتیاز کافی نیست: در زمان خرید {available} امتیاز قابل خرج بود و {wanted} امتیاز خرج شده",
                            available=available,
                            wanted=sale.redeem_points,
                        ),
                    )
                )
                continue
            allocation = []
            for n, taken in rules.take_in_order(
                ((k, lot.remaining) for k, lot in enumerate(spendable)), sale.redeem_points
            ):
                lot = spendable[n]
                lot.remaining -= taken
                allocation.append([lot.id, taken])
                if lot.id in existing:
                    result.taken_from_existing[lot.id] = result.taken_from_existing.get(lot.id, 0) + taken
            result.allocations[i] = allocation
            balance -= sale.redeem_points
        points = earned[i]
        if points:
            # A credit to a negative balance pays the debt first (allow_negative refunds).
            remaining = rules.lot_credit_after_debt(balance, points)
            balance += points
            dates = rules.lot_dates(at, pending_days, *expiry)
            available_at, expires_at = dates.available_at, dates.expires_at
            lot = _Lot(
                _spend_order(lot_ids[i], available_at, expires_at),
                lot_ids[i],
                remaining,
                available_at,
                expires_at,
            )
            bisect.insort(lots, lot, key=lambda x: x.order)
    for lot in lots:
        if lot.id not in existing:
            result.new_lot_remaining[lot.id] = lot.remaining
    return result


async def _release_lapsed_holds(
    session: AsyncSession, tenant_id: int, accounts: list[tuple[int, int]]
) -> None:
    """Give back points held by lapsed two-phase redemptions before reading lots (as the till does)."""
    now = utcnow()
    rows = await bulk.select_where_in(
        session,
        lambda cond: (
            select(Reservation.account_id)
            .where(Reservation.status == "held", Reservation.expires_at <= now, cond)
            .distinct()
        ),
        Reservation.account_id,
        [account_id for _, account_id in accounts],
    )
    lapsed = {account_id for (account_id,) in rows}
    for member_id, account_id in accounts:
        if account_id in lapsed:
            account = await ledger.lock_member_account(session, tenant_id, member_id)
            async with ledger.journal(session, tenant_id, "system:lapse") as j:
                await ledger.release_lapsed_holds(j, account, now)


async def _existing_lots(session: AsyncSession, account_ids: list[int]) -> dict[int, list[_Lot]]:
    rows = await bulk.select_where_in(
        session,
        lambda cond: select(
            PointLot.account_id, PointLot.id, PointLot.remaining, PointLot.available_at, PointLot.expires_at
        ).where(PointLot.remaining > 0, cond),
        PointLot.account_id,
        account_ids,
    )
    lots: dict[int, list[_Lot]] = defaultdict(list)
    for account_id, lot_id, remaining, available_at, expires_at in rows:
        lots[account_id].append(
            _Lot(_spend_order(lot_id, available_at, expires_at), lot_id, remaining, available_at, expires_at)
        )
    return lots


async def replay(
    session: AsyncSession,
    tenant_id: int,
    sales: list[Sale],
    member_of: list[int],
    earned: list[int],
    lot_ids: list[int],
    accounts: dict[int, MemberBalance],
    special: set[int],
    program: Any,
    table: Table,
) -> Redemptions:
    """Work out the redemptions (and debt repayments) of the members who need the exact replay."""
    pairs = [(m, accounts[m].id) for m in sorted(special)]
    await _release_lapsed_holds(session, tenant_id, pairs)
    existing = await _existing_lots(session, [account_id for _, account_id in pairs])
    by_member: dict[int, list[int]] = defaultdict(list)
    lot_of: dict[int, int] = {}
    next_lot = 0
    for i, member_id in enumerate(member_of):
        if earned[i]:
            if member_id in special:
                lot_of[i] = lot_ids[next_lot]
            next_lot += 1
        if member_id in special:
            by_member[member_id].append(i)
    total = Redemptions()
    label = table.label("redeem_points")
    for member_id, indexes in by_member.items():
        indexes.sort(key=lambda i: (sales[i].occurred_at, sales[i].line))
        account = accounts[member_id]
        one = _simulate(
            sales,
            indexes,
            earned,
            lot_of,
            account.posted,
            existing.get(account.id, []),
            program.pending_days,
            (program.expiry_mode, program.expiry_months),
            label,
        )
        total.errors.extend(one.errors)
        total.taken_from_existing.update(one.taken_from_existing)
        total.new_lot_remaining.update(one.new_lot_remaining)
        total.allocations.update(one.allocations)
    return total
