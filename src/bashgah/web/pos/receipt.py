"""The receipt as printed: the bill, the points, the stamps and gifts the sale gave, the refunds recorded
for it, and the refund form."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.idempotency import service as idempotency
from bashgah.members import service as members
from bashgah.points import service as member_points
from bashgah.programme.schemas import GiftGiven
from bashgah.purchases import reads as purchases
from bashgah.purchases.schemas import PurchaseRead, RefundRead
from bashgah.stamps import reading as stamps
from bashgah.stamps.schemas import StampsEarned
from bashgah.wallet import service as wallets
from bashgah.web import forms
from bashgah.web.guard import database
from bashgah.web.pos.common import Cashier, Customer, pos_router, screen
from bashgah.web.pos.pricing import Bonus, RewardUse, bonuses, reward_use
from bashgah.web.qr import qr_svg
from bashgah.web.render import language

router = pos_router()


@dataclass
class ReceiptView:
    """The receipt as printed: the bill as the confirm step showed it, where and by whom, the portal's QR,
    the refunds recorded for it and what is left after them. Every figure comes from the server's own
    records, never from the address."""

    p: PurchaseRead
    branch_name: str
    cashier: str | None
    portal_url: str
    refunds: list[RefundRead]
    #: The refund just done (named by id in the address, read from the refunds of this purchase).
    notice: RefundRead | None

    @property
    def subtotal_rials(self) -> int:
        """The total before any discount, as typed at the till."""
        return self.p.total_rials

    @property
    def rest_rials(self) -> int:
        """What was paid in cash or by card (besides the wallet and a gift card)."""
        return self.p.paid_rials - self.p.wallet_rials - self.p.gift_card_rials

    @property
    def left_rials(self) -> int:
        """Of the purchase total, what has not been returned (and may still be)."""
        return self.p.total_rials - self.p.refunded_rials

    @property
    def paid_back_rials(self) -> int:
        """Money the refunds paid back: in cash, to the wallet and to the gift card."""
        return sum(
            r.cash_refund_rials + r.wallet_returned_rials + r.gift_card_returned_rials for r in self.refunds
        )

    @property
    def kept_rials(self) -> int:
        """What the customer has paid for what they kept."""
        return self.p.paid_rials - self.paid_back_rials

    @property
    def reward(self) -> RewardUse | None:
        return reward_use(self.p.reward_name, self.p.reward_discount_rials, self.p.reward_code)

    @property
    def points_total(self) -> int:
        """The sale's own points and the campaigns' bonuses."""
        return self.p.points_earned + self.p.points_bonus

    @property
    def bonuses(self) -> list[Bonus]:
        return bonuses(self.p.campaigns)

    @property
    def points_kept(self) -> int:
        """Points this sale earned (with campaign bonuses) that refunds did not take back."""
        taken = sum(r.points_reversed + r.points_unrecovered for r in self.refunds)
        return self.p.points_earned + self.p.points_bonus - taken

    @property
    def qr(self) -> Markup:
        return qr_svg(self.portal_url)


async def page(
    request: Request,
    user: StaffUser,
    purchase_id: int,
    status: int = 200,
    errors: list[str] | None = None,
    refund_amount: str = "",
    refund_reason: str = "",
    sale: str = "",
    refund_id: int | None = None,
) -> Response:
    lang = language(request, user)
    async with database(request).transaction() as session:
        found = await purchases.receipt(session, user.principal, purchase_id, lang)
        purchase = found.purchase
        member = await members.get(session, user.tenant_id, purchase.member_id)
        balance = await member_points.summary(session, user.principal, purchase.member_id)
        wallet = (await wallets.read(session, user.principal, member.id, lang, limit=1)).balance
        outcome = await _sale_outcome(session, user, purchase_id, member.id, sale, lang)
    view = ReceiptView(
        p=purchase,
        branch_name=found.branch_name,
        cashier=found.cashier,
        portal_url=f"{str(request.base_url).rstrip('/')}/m/{found.club_slug}/login",
        refunds=found.refunds,
        notice=next((r for r in found.refunds if r.id == refund_id), None),
    )
    return screen(
        request,
        "receipt.html",
        user,
        status,
        p=purchase,
        view=view,
        m=Customer.of(member),
        balance=balance,
        wallet=wallet,
        stamps=outcome[0],
        gifts=outcome[1],
        refund_key=forms.new_form_key(),
        refund_amount=refund_amount,
        refund_reason=refund_reason,
        errors=errors or [],
    )


async def _sale_outcome(
    session: AsyncSession, user: StaffUser, purchase_id: int, member_id: int, key: str, lang: str
) -> tuple[list[StampsEarned], list[GiftGiven]]:
    """The stamps and gifts the till's sale with this form key gave (as remembered with it)."""
    if not key:
        return [], []
    stored = await idempotency.recall(session, user.principal, f"pos-sale:{key.strip().upper()[:64]}")
    if not isinstance(stored, dict) or stored.get("purchase_id") != purchase_id:
        return [], []
    earned = [StampsEarned.model_validate(s) for s in stored.get("stamps", [])]
    if earned:  # the cards' names in the page's language, not the sale's
        names = await card_names(session, user, member_id, lang)
        earned = [e.model_copy(update={"name": names.get(e.card_id, e.name)}) for e in earned]
    return earned, [GiftGiven.model_validate(g) for g in stored.get("gifts", [])]


async def card_names(session: AsyncSession, user: StaffUser, member_id: int, lang: str) -> dict[int, str]:
    """The names of the member's stamp cards (by card id) in the page's language."""
    return {c.card_id: c.name for c in await stamps.progress(session, user.tenant_id, member_id, lang)}


@router.get("/receipts/{purchase_id}", response_class=HTMLResponse)
async def receipt(
    request: Request, user: Cashier, purchase_id: int, sale: str = "", refund: int | None = None
) -> Response:
    """The receipt; ``sale`` (the till's form key) adds what that sale gave once, ``refund`` (a refund's
    id) shows what that refund of this purchase did — both read from what the server recorded."""
    return await page(request, user, purchase_id, sale=sale, refund_id=refund)
