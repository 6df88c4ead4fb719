"""Reading purchases: one with its campaigns, coupon and reward; its receipt; by receipt number; a
member's latest; the console's detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import NotFound
from bashgah.core.normalize import normalize_reference
from bashgah.core.rows import owned, read_of
from bashgah.coupons import service as coupons
from bashgah.models import Branch, Purchase, PurchaseItem, Refund, Staff, Tenant
from bashgah.programme import awards as programme_awards
from bashgah.purchases.schemas import (
    PurchaseRead,
    RefundRead,
)
from bashgah.rewards import till as rewards
from bashgah.tenants import service as tenants


def _read(p: Purchase, branch: Branch) -> PurchaseRead:
    return read_of(
        PurchaseRead,
        p,
        branch=branch.code,
        paid_rials=p.total_rials - p.reward_discount_rials - p.discount_rials,
        points_available_at=p.available_at,
    )


async def find(session: AsyncSession, tenant_id: int, purchase_id: int) -> Purchase:
    """The club's purchase with this id, or NotFound."""
    return await owned(session, Purchase, tenant_id, purchase_id, ("Purchase", "خرید"))


async def get(session: AsyncSession, who: Principal, purchase_id: int, lang: str = "fa") -> PurchaseRead:
    purchase = await find(session, who.tenant_id, purchase_id)
    branch = await tenants.get_branch(session, who.tenant_id, purchase.branch_id)
    applied = await programme_awards.applied_to(session, purchase.id, lang)
    read = _read(purchase, branch)
    coupon_rials = await coupons.discount_of(session, purchase.id)
    reward = (
        await rewards.names_of(session, purchase.reward_instance_id, lang)
        if purchase.reward_instance_id is not None
        else None
    )
    return read.model_copy(
        update={
            "points_bonus": sum(a.points for a in applied),
            "cashback_rials": sum(a.cashback_rials for a in applied),
            "campaigns": applied,
            "coupon_discount_rials": coupon_rials,
            "paid_rials": read.paid_rials - coupon_rials,
            "reward_code": reward[0] if reward else None,
            "reward_name": reward[1] if reward else None,
        }
    )


async def refunds_of(session: AsyncSession, who: Principal, purchase_id: int) -> list[RefundRead]:
    """The refunds recorded for a purchase of the caller's club, oldest first."""
    rows = await session.scalars(
        select(Refund)
        .where(Refund.tenant_id == who.tenant_id, Refund.purchase_id == purchase_id)
        .order_by(Refund.id)
    )
    return [read_of(RefundRead, r) for r in rows]


@dataclass(frozen=True)
class Receipt:
    """What a printed receipt tells besides the purchase: where, who rang it up, the club's portal and
    the refunds recorded for it."""

    purchase: PurchaseRead
    branch_name: str
    #: The cashier's name; None for a sale from the API, the importer or the CLI.
    cashier: str | None
    club_slug: str
    refunds: list[RefundRead]


async def receipt(session: AsyncSession, who: Principal, purchase_id: int, lang: str) -> Receipt:
    read = await get(session, who, purchase_id, lang)
    branch_id, staff_id = (
        await session.execute(select(Purchase.branch_id, Purchase.staff_id).where(Purchase.id == purchase_id))
    ).one()
    branch = await tenants.get_branch(session, who.tenant_id, branch_id)
    cashier = await session.scalar(select(Staff.full_name).where(Staff.id == staff_id)) if staff_id else None
    slug = await session.scalar(select(Tenant.slug).where(Tenant.id == who.tenant_id))
    return Receipt(
        purchase=read,
        branch_name=branch.name,
        cashier=cashier or None,
        club_slug=str(slug),
        refunds=await refunds_of(session, who, purchase_id),
    )


async def find_by_receipt(session: AsyncSession, who: Principal, external_id: str) -> int:
    """The id of the purchase with this receipt number — at the caller's branch when they have one."""
    number = normalize_reference(external_id)[:64]
    query = select(Purchase.id).where(Purchase.tenant_id == who.tenant_id, Purchase.external_id == number)
    if who.branch_id is not None:
        query = query.where(Purchase.branch_id == who.branch_id)
    found = (await session.scalars(query.order_by(Purchase.id.desc()).limit(1))).first()
    if found is None:
        raise NotFound("Purchase", "خرید", detail=number)
    return found


async def recent_of_member(
    session: AsyncSession, who: Principal, member_id: int, limit: int = 5, before: int | None = None
) -> list[PurchaseRead]:
    """A member's latest purchases, newest first (what a till shows to pick one for a return); ``before``
    (a purchase id) pages back to older ones."""
    query = (
        select(Purchase, Branch)
        .join(Branch, Branch.id == Purchase.branch_id)
        .where(Purchase.tenant_id == who.tenant_id, Purchase.member_id == member_id)
    )
    if before is not None:
        query = query.where(Purchase.id < before)
    rows = await session.execute(query.order_by(Purchase.id.desc()).limit(limit))
    return [_read(p, b) for p, b in rows]


@dataclass(frozen=True)
class PurchaseDetail:
    """A purchase as the console shows it: the figures, its lines and its returns, oldest first."""

    purchase: PurchaseRead
    items: list[PurchaseItem]
    refunds: list[Refund]


async def detail(session: AsyncSession, who: Principal, purchase_id: int) -> PurchaseDetail:
    read = await get(session, who, purchase_id)
    items = (
        await session.scalars(
            select(PurchaseItem).where(PurchaseItem.purchase_id == purchase_id).order_by(PurchaseItem.id)
        )
    ).all()
    returns = (
        await session.scalars(
            select(Refund)
            .where(Refund.tenant_id == who.tenant_id, Refund.purchase_id == purchase_id)
            .order_by(Refund.id)
        )
    ).all()
    return PurchaseDetail(read, list(items), list(returns))


async def purchases_of_refunds(
    session: AsyncSession, tenant_id: int, refund_ids: list[int]
) -> dict[int, int]:
    """Refund id → the purchase it returned (to link a statement's refund lines to their purchase)."""
    if not refund_ids:
        return {}
    rows = await session.execute(
        select(Refund.id, Refund.purchase_id).where(Refund.tenant_id == tenant_id, Refund.id.in_(refund_ids))
    )
    return {refund_id: purchase_id for refund_id, purchase_id in rows}
