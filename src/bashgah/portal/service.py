"""What the member portal reads for the signed-in member, beyond what the domain services already give:
the points' worth, the coming expiry dates, the coupons they used. Every function takes the member's id
from the caller, which takes it from the member's session only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.jalali import TEHRAN
from bashgah.ledger.schemas import PointsBalance
from bashgah.models import Account, CouponBatch, CouponCode, CouponUse, PointLot
from bashgah.points import service as member_points
from bashgah.tenants import service as tenants


@dataclass(frozen=True)
class MemberPrincipal(Principal):
    """A member acting for themselves on the portal: the ledger records them as ``member:<id>``."""

    member_id: int = 0

    @property
    def actor(self) -> str:
        return f"member:{self.member_id}"


def principal_of(tenant_id: int, member_id: int) -> MemberPrincipal:
    return MemberPrincipal(
        tenant_id=tenant_id, role="member", branch_id=None, key_id=None, member_id=member_id
    )


@dataclass(frozen=True)
class Worth:
    balance: PointsBalance
    #: What one point is worth at the till, and what the available points are worth together.
    point_value_rials: int
    value_rials: int


async def worth(session: AsyncSession, tenant_id: int, member_id: int, now: datetime) -> Worth:
    account = await session.scalar(
        select(Account).where(Account.tenant_id == tenant_id, Account.member_id == member_id)
    )
    assert account is not None, "every member has a points account"
    balance = await member_points.points_balance(session, account, now)
    program = await tenants.program_settings(session, tenant_id)
    value = program.point_value_rials
    return Worth(balance, value, max(0, balance.available) * value)


@dataclass(frozen=True)
class Expiry:
    #: The first moment of that Tehran day that points expire.
    at: datetime
    points: int


def by_day(lots: Iterable[tuple[datetime, int]], limit: int) -> list[Expiry]:
    """(expiry instant, points) of lots, soonest first, as one line per Tehran day with the sum: lots
    earned at different hours expire at different instants of the same day, and a member reads days."""
    days: dict[date, Expiry] = {}
    for at, points in lots:
        key = at.astimezone(TEHRAN).date()
        if key not in days and len(days) == limit:
            break
        first = days.get(key)
        days[key] = Expiry(first.at if first else at, (first.points if first else 0) + points)
    return list(days.values())


async def coming_expiries(
    session: AsyncSession, tenant_id: int, member_id: int, now: datetime, limit: int = 3
) -> list[Expiry]:
    """The next days the member's points expire on, with how many points each (one line per day)."""
    rows = await session.execute(
        select(PointLot.expires_at, func.sum(PointLot.remaining))
        .join(Account, Account.id == PointLot.account_id)
        .where(
            Account.tenant_id == tenant_id,
            Account.member_id == member_id,
            PointLot.remaining > 0,
            PointLot.expires_at.is_not(None),
            PointLot.expires_at > now,
        )
        .group_by(PointLot.expires_at)
        .order_by(PointLot.expires_at)
    )
    return by_day(((at, int(points)) for at, points in rows if at is not None), limit)


@dataclass(frozen=True)
class CouponUsed:
    code: str
    name: str
    discount_rials: int
    at: datetime
    #: Given back by a full refund of the purchase.
    returned: bool


async def coupons_used(
    session: AsyncSession, tenant_id: int, member_id: int, limit: int = 50
) -> list[CouponUsed]:
    """The coupons the member used on purchases, newest first (coupons are not addressed to members)."""
    rows = await session.execute(
        select(
            CouponCode.code,
            CouponBatch.name,
            CouponUse.discount_rials,
            CouponUse.created_at,
            CouponUse.returned_at,
        )
        .join(CouponCode, CouponCode.id == CouponUse.code_id)
        .join(CouponBatch, CouponBatch.id == CouponUse.batch_id)
        .where(CouponUse.tenant_id == tenant_id, CouponUse.member_id == member_id)
        .order_by(CouponUse.id.desc())
        .limit(limit)
    )
    return [
        CouponUsed(code, name, int(off), at, returned is not None) for code, name, off, at, returned in rows
    ]
