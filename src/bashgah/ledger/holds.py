"""Holds: the two-phase redemption's reserved points, given back or posted exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger import rules
from bashgah.ledger.accounts import AccountLike, system_account
from bashgah.ledger.journal import Journal
from bashgah.ledger.lots import change_lots
from bashgah.models import Account, Reservation


async def _open_holds(
    session: AsyncSession, account: AccountLike, lapsed_at: datetime | None = None
) -> list[Reservation]:
    """The account's open holds, re-read: those lapsed at ``lapsed_at``, or all of them newest first."""
    query = select(Reservation).where(Reservation.account_id == account.id, Reservation.status == "held")
    if lapsed_at is not None:
        query = query.where(Reservation.expires_at <= lapsed_at)
    else:
        query = query.order_by(Reservation.id.desc())
    return list((await session.scalars(query.execution_options(populate_existing=True))).all())


async def release_lapsed_holds(j: Journal, account: AccountLike, now: datetime) -> int:
    """Give back the points of this member's reservations whose time ran out. Returns how many."""
    lapsed = await _open_holds(j.session, account, lapsed_at=now)
    for reservation in lapsed:
        await close_hold(j, reservation, "expired", now)
    return len(lapsed)


async def shrink_holds(j: Journal, account: AccountLike, points: int, now: datetime) -> int:
    """Take up to ``points`` out of this member's open holds, newest first; returns how many.

    For a refund under ``within_balance``: points held for a redemption are still the member's, so a
    return takes them back too — otherwise reserving, returning and cancelling would keep them.
    A hold emptied this way ends as cancelled.
    """
    taken = 0
    for reservation in await _open_holds(j.session, account):
        if taken == points:
            break
        n = min(reservation.points, points - taken)
        reservation.allocations, _ = rules.split_allocations(reservation.allocations, reservation.points - n)
        reservation.points -= n
        j.hold(account.id, -n)
        if reservation.points == 0:
            reservation.status, reservation.closed_at = "cancelled", now
        taken += n
    return taken


async def close_hold(j: Journal, reservation: Reservation, status: str, now: datetime, used: int = 0) -> None:
    """End a hold exactly once: post ``used`` points as redeemed and give the rest back to their lots."""
    # The used points already left their lots when the hold was made; only the rest goes back — and
    # under allow_negative a refund may have taken points back while they were held: that debt is paid
    # first, exactly as a new credit would pay it (see add_lot).
    _, back = rules.split_allocations(reservation.allocations, used)
    posted, pending = (
        await j.session.execute(
            select(Account.posted, Account.pending).where(Account.id == reservation.account_id)
        )
    ).one()
    account_id = reservation.account_id
    free = posted + j.posted.get(account_id, 0) - pending - j.pending.get(account_id, 0)
    returned = rules.lot_credit_after_debt(free, sum(n for _, n in back))
    await change_lots(j.session, rules.take_in_order(((lot, n) for lot, n in back), returned), +1)
    j.hold(reservation.account_id, -reservation.points)
    if used:
        sink = await system_account(j.session, j.tenant_id, "redemption", reservation.member_id)
        await j.post(
            reservation.account_id,
            sink,
            used,
            "redeem",
            f"reservation:{reservation.id}:commit",
            ("reservation", reservation.id),
        )
    reservation.status = status
    reservation.committed_points = used
    reservation.closed_at = now
