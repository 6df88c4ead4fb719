"""The member's panel at the till: points and their worth, tier, wallet, stamp cards, coupons, rewards and
the latest purchases, beside the sale form."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import NotFound
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import MemberCouponRead
from bashgah.members import service as members
from bashgah.models import Branch, Member
from bashgah.points import service as member_points
from bashgah.points.schemas import BalanceRead
from bashgah.purchases import reads as purchases
from bashgah.purchases.schemas import PurchaseRead
from bashgah.rewards import service as rewards
from bashgah.rewards.schemas import RewardInstanceRead, RewardRead
from bashgah.stamps import reading as stamps
from bashgah.stamps.schemas import StampProgress
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import MemberTierRead
from bashgah.wallet import service as wallets
from bashgah.wallet.schemas import WalletBalance
from bashgah.web.guard import database
from bashgah.web.i18n import translator
from bashgah.web.pos.common import Cashier, Customer, pos_router, screen
from bashgah.web.pos.typed import SaleForm
from bashgah.web.render import language

router = pos_router()


@dataclass
class Panel:
    """What the till shows of a member."""

    member: Member
    balance: BalanceRead
    tier: MemberTierRead | None
    rewards: list[RewardRead]
    issued: list[RewardInstanceRead]
    recent: list[PurchaseRead]
    branches: list[Branch]
    point_value_rials: int
    wallet: WalletBalance
    #: The stamp cards the member has stamps on (or completed), and the club's running ones.
    stamps: list[StampProgress]
    #: Personal coupon codes campaigns gave the member that can still be used.
    coupons: list[MemberCouponRead]

    @property
    def worth_rials(self) -> int:
        """What the member's spendable points are worth."""
        return self.balance.available * self.point_value_rials


async def panel_of(session: AsyncSession, user: StaffUser, member_id: int, lang: str) -> Panel:
    who = user.principal
    member = await members.get(session, user.tenant_id, member_id)
    try:
        tier: MemberTierRead | None = await tiers.summary(session, user.tenant_id, member_id, lang)
    except NotFound:
        tier = None  # the club has no tier ladder
    program = await tenants.program_settings(session, user.tenant_id)
    return Panel(
        member=member,
        balance=await member_points.summary(session, who, member_id),
        tier=tier,
        rewards=await rewards.catalogue(session, user.tenant_id, lang, member_id),
        issued=[
            i
            for i in await rewards.list_instances(session, user.tenant_id, member_id, lang)
            if i.status == "issued"
        ],
        recent=await purchases.recent_of_member(session, who, member_id),
        branches=await tenants.list_branches(session, user.tenant_id) if user.branch_id is None else [],
        point_value_rials=program.point_value_rials,
        wallet=(await wallets.read(session, who, member_id, lang, limit=1)).balance,
        stamps=[
            c for c in await stamps.progress(session, user.tenant_id, member_id, lang) if c.active or c.stamps
        ],
        coupons=[c for c in await coupons.member_coupons(session, user.tenant_id, member_id) if c.usable],
    )


async def page(
    request: Request,
    user: StaffUser,
    member_id: int,
    sale: SaleForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    lang = language(request, user)
    async with database(request).transaction() as session:
        panel = await panel_of(session, user, member_id, lang)
    return screen(
        request,
        "member.html",
        user,
        status,
        panel=panel,
        m=Customer.of(panel.member),
        sale=sale or SaleForm(),
        errors=errors or [],
        notice=notice,
    )


@router.get("/members/{member_id}", response_class=HTMLResponse)
async def member_page(request: Request, user: Cashier, member_id: int, enrolled: int = 0) -> Response:
    _ = translator(language(request, user), "pos")
    notice = _("New member enrolled.") if enrolled else None
    return await page(request, user, member_id, notice=notice)
