"""Two-phase redemption for tills that price first and pay later.

``reserve`` holds points (the account's ``pending`` grows; the points leave their lots), ``commit``
posts all or part of them as redeemed, ``cancel`` gives them back; a hold that is neither lapses after
its time and is given back by whoever touches the member next or by the ``release`` job. Each hold ends
exactly once: closing re-reads it under the member's lock and refuses unless it is still held.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import InvalidInput, InvalidState, NotFound, Points
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Account, Reservation, utcnow
from bashgah.points import service as member_points
from bashgah.purchases.service import lock_member
from bashgah.redemptions.schemas import ReservationCommit, ReservationCreate, ReservationRead
from bashgah.tenants import service as tenants


def _read(r: Reservation, point_value: int) -> ReservationRead:
    used = r.committed_points if r.status == "committed" else r.points
    return ReservationRead(
        id=r.id,
        member_id=r.member_id,
        points=r.points,
        committed_points=r.committed_points,
        value_rials=used * point_value,
        status=r.status,
        expires_at=r.expires_at,
        closed_at=r.closed_at,
        external_ref=r.external_ref,
    )


async def reserve(session: AsyncSession, who: Principal, data: ReservationCreate) -> ReservationRead:
    now = utcnow()
    program = await tenants.program_settings(session, who.tenant_id)
    branch_id = None
    if data.branch is not None or who.branch_id is not None:
        branch_id = (await tenants.resolve_branch(session, who.tenant_id, data.branch, who.branch_id)).id
    member, account = await lock_member(session, who.tenant_id, data.member)
    members.ensure_active(member)
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await ledger.release_lapsed_holds(j, account, now)
        taken = await ledger.take_spendable(session, account, data.points, now)
        j.hold(account.id, data.points)
    reservation = Reservation(
        tenant_id=who.tenant_id,
        member_id=member.id,
        account_id=account.id,
        branch_id=branch_id,
        points=data.points,
        committed_points=0,
        status="held",
        expires_at=now + timedelta(minutes=data.hold_minutes or program.reservation_minutes),
        allocations=[[lot_id, n] for lot_id, n in taken],
        external_ref=data.external_ref,
        created_at=now,
    )
    session.add(reservation)
    await session.flush()
    result = _read(reservation, program.point_value_rials)
    result.balance = await member_points.points_balance(session, account, now, j)
    return result


async def _locked(session: AsyncSession, who: Principal, reservation_id: int) -> tuple[Reservation, Account]:
    reservation = await session.scalar(
        select(Reservation).where(Reservation.tenant_id == who.tenant_id, Reservation.id == reservation_id)
    )
    if reservation is None:
        raise NotFound("Redemption", "رزرو امتیاز")
    account = await ledger.lock_member_account(session, who.tenant_id, reservation.member_id)
    await session.refresh(reservation)  # re-read under the lock: another till may have closed it
    return reservation, account


async def get(session: AsyncSession, who: Principal, reservation_id: int) -> ReservationRead:
    reservation = await session.scalar(
        select(Reservation).where(Reservation.tenant_id == who.tenant_id, Reservation.id == reservation_id)
    )
    if reservation is None:
        raise NotFound("Redemption", "رزرو امتیاز")
    now = utcnow()
    if reservation.status == "held" and reservation.expires_at <= now:
        # Its time ran out: release it now, so a till never sees a lapsed hold as still held.
        reservation, _ = await _locked(session, who, reservation_id)
        if reservation.status == "held":
            async with ledger.journal(session, who.tenant_id, "system:lapse") as j:
                await ledger.close_hold(j, reservation, "expired", now)
    program = await tenants.program_settings(session, who.tenant_id)
    return _read(reservation, program.point_value_rials)


async def _close(
    session: AsyncSession, who: Principal, reservation_id: int, status: str, used: int
) -> ReservationRead:
    now = utcnow()
    reservation, account = await _locked(session, who, reservation_id)
    if reservation.status == "held" and reservation.expires_at <= now:
        async with ledger.journal(session, who.tenant_id, "system:lapse") as j:
            await ledger.close_hold(j, reservation, "expired", now)
    if reservation.status != "held":
        raise InvalidState(
            f"the redemption is already {reservation.status}",
            f"این رزرو قبلاً {_STATUS_FA.get(reservation.status, reservation.status)} شده است",
        )
    if used > reservation.points:
        raise InvalidInput(
            "points",
            "only {points} points are reserved",
            "فقط {points} امتیاز رزرو شده است",
            "امتیاز",
            points=Points(reservation.points),
        )
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await ledger.close_hold(j, reservation, status, now, used=used)
    await session.flush()
    program = await tenants.program_settings(session, who.tenant_id)
    result = _read(reservation, program.point_value_rials)
    result.balance = await member_points.points_balance(session, account, now, j)
    return result


_STATUS_FA = {"committed": "نهایی", "cancelled": "لغو", "expired": "منقضی"}


async def commit(
    session: AsyncSession, who: Principal, reservation_id: int, data: ReservationCommit
) -> ReservationRead:
    reservation = await session.scalar(
        select(Reservation.points).where(
            Reservation.tenant_id == who.tenant_id, Reservation.id == reservation_id
        )
    )
    used = data.points if data.points is not None else (reservation or 0)
    return await _close(session, who, reservation_id, "committed", used)


async def cancel(session: AsyncSession, who: Principal, reservation_id: int) -> ReservationRead:
    return await _close(session, who, reservation_id, "cancelled", 0)


async def release_lapsed(
    session: AsyncSession, limit: int = 1000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Job: give back the points of every hold whose time ran out. Safe to run twice, or at once.
    ``tenant_id`` limits it to one tenant (see ``bashgah.jobs``)."""
    now = now or utcnow()
    query = (
        select(Reservation.tenant_id, Reservation.member_id)
        .where(Reservation.status == "held", Reservation.expires_at <= now)
        .distinct()
        .limit(limit)
    )
    released = 0
    async for account in ledger.lock_each_member(session, query, Reservation.tenant_id, tenant_id):
        async with ledger.journal(session, account.tenant_id, "job:release") as j:
            released += await ledger.release_lapsed_holds(j, account, now)
    return released
