"""The cashier's till (/pos): find or enrol a member, record a sale (points, coupon, reward code), print the
receipt, refund it. Every action calls the same services as the API, one transaction per use case; the
sale and the refund forms carry a key rendered with the form, so sending one twice does it once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import BashgahError, InsufficientPoints, InvalidInput, NotFound, Show
from bashgah.core.normalize import looks_like_phone, to_latin_digits, to_persian_digits
from bashgah.coupons import rules as coupon_rules
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import CouponCheck, MemberCoupon
from bashgah.giftcards import service as gift_cards
from bashgah.giftcards.schemas import GiftCardRead
from bashgah.idempotency import service as idempotency
from bashgah.ledger import member_points
from bashgah.ledger.schemas import BalanceRead
from bashgah.members import service as members
from bashgah.members.schemas import MemberCreate
from bashgah.models import Branch, Member
from bashgah.programme.schemas import GiftGiven
from bashgah.purchases import service as purchases
from bashgah.purchases.schemas import PurchaseCreate, PurchaseRead, PurchaseResult, RefundCreate
from bashgah.rewards import service as rewards
from bashgah.rewards.errors import RewardInstanceClosed, RewardInstanceUnknown
from bashgah.rewards.schemas import RewardInstanceRead, RewardRead
from bashgah.stamps import service as stamps
from bashgah.stamps.schemas import StampPreview, StampProgress, StampsEarned
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import MemberTierRead
from bashgah.wallet import service as wallets
from bashgah.wallet.errors import GiftCardClosed, InsufficientGiftCard, InsufficientWallet
from bashgah.wallet.schemas import TopUpCreate, WalletBalance
from bashgah.web import audit, fmt, forms
from bashgah.web.guard import POS_ROLES, checked_form, database, require_staff
from bashgah.web.i18n import translator
from bashgah.web.render import language, render
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/pos", include_in_schema=False)
Cashier = Annotated[StaffUser, Depends(require_staff(*POS_ROLES))]
#: Receipt numbers of the till: short, from letters and digits nobody misreads (as coupon codes).
RECEIPT_LENGTH = 8


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def _message(error: Exception, lang: str, unit: str) -> str:
    if isinstance(error, BashgahError):
        return fmt.error(error, lang, unit)
    if lang == "fa":
        return "این تغییر با دادهٔ موجود تداخل دارد؛ چیزی ذخیره نشد. دوباره تلاش کنید."
    return "This conflicts with existing data; nothing was saved. Try again."


def local_mobile(e164: str) -> str:
    """+989121234567 → 09121234567, as people write it."""
    return "0" + e164[3:] if e164.startswith("+98") else e164


# --------------------------------------------------------------------------------------- find, enrol


def _lookup_page(request: Request, user: StaffUser, status: int = 200, **context: Any) -> Response:
    values: dict[str, Any] = {"q": "", "number": "", "found": None, "enrol_mobile": None}
    values.update(context)
    return render(request, "pos/lookup.html", face="pos", user=user, status=status, **values)


@router.get("", response_class=HTMLResponse)
async def lookup_page(request: Request, user: Cashier) -> Response:
    return _lookup_page(request, user)


@router.get("/find", response_class=HTMLResponse)
async def find(request: Request, user: Cashier, q: str = "") -> Response:
    """Whatever was typed or scanned: a mobile in any digits, a card number, a QR text, a name."""
    q = q.strip()[:100]
    try:
        async with database(request).transaction() as session:
            found = await members.lookup(session, user.tenant_id, q)
    except BashgahError as error:
        return _lookup_page(
            request, user, 422, q=q, errors=[fmt.error(error, language(request, user), user.money_unit)]
        )
    if len(found.members) == 1:
        return _redirect(f"/pos/members/{found.members[0].id}")
    if not found.members:
        phone = found.matched_by == "phone" or looks_like_phone(to_latin_digits(q))
        return _lookup_page(
            request, user, q=q, found=[], enrol_mobile=q if phone else None, focus_enrol=phone
        )
    return _lookup_page(request, user, q=q, found=found.members)


@router.post("/enrol")
async def enrol(request: Request, user: Cashier) -> Response:
    """A new member with just a mobile number, enrolled at the cashier's branch."""
    form = await checked_form(request, user)
    mobile = forms.text(form, "mobile", 32)
    try:
        async with database(request).transaction() as session:
            branch = await _branch_code(session, user)
            member = await members.create(
                session,
                user.tenant_id,
                MemberCreate.model_validate(
                    {"mobile": mobile or "-", "consent_source": "pos", "branch": branch}
                ),
            )
            await audit.record(session, user.tenant_id, "pos.enrol", user.staff_id, "member", member.id)
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("mobile", "not a valid mobile number", "شماره موبایل معتبر نیست", "موبایل")
        return _lookup_page(
            request,
            user,
            422,
            enrol_mobile=mobile,
            focus_enrol=True,
            errors=[_message(error, language(request, user), user.money_unit)],
        )
    return _redirect(f"/pos/members/{member.id}?enrolled=1")


@router.get("/receipt", response_class=HTMLResponse)
async def find_receipt(request: Request, user: Cashier, number: str = "") -> Response:
    """Open a receipt by its number (to print it again or refund it)."""
    number = to_latin_digits(number).strip().upper()[:64]
    try:
        async with database(request).transaction() as session:
            purchase_id = await purchases.find_by_receipt(session, user.principal, number)
    except BashgahError as error:
        return _lookup_page(
            request,
            user,
            404,
            number=number,
            errors=[fmt.error(error, language(request, user), user.money_unit)],
        )
    return _redirect(f"/pos/receipts/{purchase_id}")


async def _branch_code(session: AsyncSession, user: StaffUser) -> str | None:
    if user.branch_id is None:
        return None
    return (await tenants.get_branch(session, user.tenant_id, user.branch_id)).code


# ------------------------------------------------------------------------------------ member panel


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
    coupons: list[MemberCoupon]


async def _panel(session: AsyncSession, user: StaffUser, member_id: int, lang: str) -> Panel:
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


@dataclass
class SaleForm:
    """The sale as the cashier typed it (kept to show the form again after an error)."""

    total: str = ""
    redeem: str = ""
    coupon: str = ""
    reward: str = ""
    branch: str = ""
    #: Rials (in the club's unit) to pay from the member's wallet.
    wallet: str = ""
    gift_card: str = ""
    #: Of the gift card; empty: as much as the card and the bill allow.
    gift_card_amount: str = ""
    #: Item lines "code quantity unit-price", one per line (or separated by ";").
    items: str = ""
    key: str = field(default_factory=lambda: _receipt_number())


def _receipt_number() -> str:
    return coupon_rules.random_codes(1, RECEIPT_LENGTH, "").pop()


async def _member_page(
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
        panel = await _panel(session, user, member_id, lang)
    return render(
        request,
        "pos/member.html",
        face="pos",
        user=user,
        status=status,
        panel=panel,
        m=panel.member,
        mobile=local_mobile(panel.member.mobile),
        sale=sale or SaleForm(),
        errors=errors or [],
        notice=notice,
    )


@router.get("/members/{member_id}", response_class=HTMLResponse)
async def member_page(request: Request, user: Cashier, member_id: int, enrolled: int = 0) -> Response:
    _ = translator(language(request, user), "pos")
    notice = _("New member enrolled.") if enrolled else None
    return await _member_page(request, user, member_id, notice=notice)


# -------------------------------------------------------------------------------------------- sale


@dataclass
class Sale:
    """A sale read from the form, in rials and points."""

    total_rials: int
    redeem_points: int
    coupon: str | None
    reward: str | None
    branch: str | None
    key: str
    items: list[Item] = field(default_factory=list)
    wallet_rials: int = 0
    gift_card: str | None = None
    gift_card_rials: int | None = None

    def fingerprint(self, member_id: int) -> str:
        body = {
            "member": member_id,
            "total": self.total_rials,
            "redeem": self.redeem_points,
            "coupon": self.coupon,
            "reward": self.reward,
            "branch": self.branch,
            "items": [list(i) for i in self.items],
            "wallet": self.wallet_rials,
            "gift_card": self.gift_card,
            "gift_card_rials": self.gift_card_rials,
        }
        return idempotency.fingerprint("POST", "/pos/sale", body)

    def purchase(self, member_id: int, total_rials: int) -> PurchaseCreate:
        return PurchaseCreate.model_validate(
            {
                "member": {"id": member_id},
                "branch": self.branch,
                "external_id": self.key,
                "total_rials": total_rials,
                "redeem_points": self.redeem_points,
                "coupon": self.coupon,
                "wallet_rials": self.wallet_rials,
                "gift_card": self.gift_card,
                "gift_card_rials": self.gift_card_rials,
                "items": [
                    {"sku": i.sku, "quantity": i.quantity, "unit_price_rials": i.unit_price_rials}
                    for i in self.items
                ],
            }
        )


class Item(NamedTuple):
    sku: str
    quantity: int
    unit_price_rials: int


_ITEM_SEPARATORS = re.compile(r"[\s×*]+")


def read_items(text: str, unit: str) -> list[Item]:
    """Item lines as a cashier types them: ``TEA-01 2 45,000`` (code, quantity, unit price in the club's
    unit), one per line or separated by ``;``; any digits."""
    items = []
    for n, line in enumerate((x.strip() for x in re.split(r"[\n;]+", text)), start=1):
        if not line:
            continue
        parts = _ITEM_SEPARATORS.split(to_latin_digits(line))
        quantity = price = None
        if len(parts) == 3 and 1 <= len(parts[0]) <= 64:
            try:
                quantity = forms.whole_number({"q": parts[1]}, "q", "تعداد", maximum=100_000)
                price = forms.amount_rials({"p": parts[2]}, "p", unit, "قیمت")
            except InvalidInput:
                quantity = None
        if not quantity or price is None:
            raise InvalidInput(
                "items",
                f"line {n}: write the code, the quantity and the unit price",
                f"سطر {to_persian_digits(str(n))}: کد کالا، تعداد و قیمت واحد را بنویسید",
                "اقلام",
            )
        items.append(Item(parts[0], quantity, price))
    return items


def _read_sale(typed: SaleForm, unit: str, user: StaffUser) -> Sale:
    data = {
        "total": typed.total,
        "redeem": typed.redeem,
        "wallet": typed.wallet,
        "card": typed.gift_card_amount,
    }
    items = read_items(typed.items, unit)
    total = forms.amount_rials(data, "total", unit, "مبلغ خرید", required=not items)
    if total is None:
        total = sum(i.quantity * i.unit_price_rials for i in items)
    if not total:
        raise InvalidInput("total", "more than zero", "بیشتر از صفر", "مبلغ خرید")
    key = typed.key.strip().upper()
    if not 1 <= len(key) <= 64 or not key.isalnum():
        raise InvalidInput("key", "reload the page", "صفحه را دوباره باز کنید", "فرم")
    return Sale(
        total_rials=total,
        redeem_points=forms.whole_number(data, "redeem", "امتیاز مصرفی", maximum=10**9) or 0,
        coupon=typed.coupon.strip() or None,
        reward=typed.reward.strip().upper() or None,
        branch=None if user.branch_id is not None else (typed.branch.strip() or None),
        key=key,
        items=items,
        wallet_rials=forms.amount_rials(data, "wallet", unit, "پرداخت از کیف پول") or 0,
        gift_card=typed.gift_card.strip().upper() or None,
        gift_card_rials=forms.amount_rials(data, "card", unit, "مبلغ کارت هدیه") or None,
    )


@dataclass
class Preview:
    """What the confirm step shows: each discount, what is paid, the points earned."""

    total_rials: int
    reward_rials: int
    reward_name: str | None
    coupon_rials: int
    points_rials: int
    paid_rials: int
    points_earned: int
    available: int
    wallet_rials: int = 0
    gift_card_rials: int = 0
    cashback_rials: int = 0
    #: Stamps the sale would put on each card.
    stamps: list[StampPreview] = field(default_factory=list)

    @property
    def rest_rials(self) -> int:
        """What is left to pay in cash or by card."""
        return self.paid_rials - self.wallet_rials - self.gift_card_rials


async def _reward_off(
    session: AsyncSession, user: StaffUser, member_id: int, code: str, total: int, lang: str
) -> tuple[int, str]:
    """The discount of the member's own issued reward with this code, and its name."""
    mine = {i.code: i for i in await rewards.list_instances(session, user.tenant_id, member_id, lang)}
    instance = mine.get(code)
    if instance is None:
        raise RewardInstanceUnknown()
    if instance.status != "issued":
        raise RewardInstanceClosed(None, status=instance.status)
    reward = await rewards.get(session, user.tenant_id, instance.reward_id, lang)
    return rewards.till_discount(reward, total), instance.reward_name


async def _price(session: AsyncSession, user: StaffUser, member_id: int, sale: Sale, lang: str) -> Preview:
    """Price the sale without writing anything: refuses what the sale itself would refuse."""
    who = user.principal
    members.ensure_active(await members.get(session, user.tenant_id, member_id))
    reward_rials, reward_name = 0, None
    if sale.reward:
        reward_rials, reward_name = await _reward_off(
            session, user, member_id, sale.reward, sale.total_rials, lang
        )
    net = sale.total_rials - reward_rials
    if net <= 0:
        raise InvalidInput("reward", "covers the whole total", "همهٔ مبلغ خرید را می‌پوشاند", "کد جایزه")
    coupon_rials = 0
    if sale.coupon:
        verdict = await coupons.check(
            session,
            who,
            CouponCheck.model_validate(
                {"code": sale.coupon, "member": {"id": member_id}, "total_rials": net}
            ),
            lang,
            fmt.shown(lang, user.money_unit),
        )
        if not verdict.valid:
            raise _Refused(verdict.reason or "")
        coupon_rials = verdict.discount_rials
    balance = await member_points.summary(session, who, member_id)
    if sale.redeem_points > balance.available:
        raise InsufficientPoints(balance.available, sale.redeem_points)
    if sale.wallet_rials:
        wallet = (await wallets.read(session, who, member_id, lang, limit=1)).balance
        if sale.wallet_rials > wallet.available_rials:
            raise InsufficientWallet(wallet.available_rials, sale.wallet_rials)
    card: GiftCardRead | None = None
    if sale.gift_card:
        card = await gift_cards.get(session, who, sale.gift_card)
        if card.status != "active":
            raise GiftCardClosed(card.status)
        if sale.gift_card_rials is not None and sale.gift_card_rials > card.balance_rials:
            raise InsufficientGiftCard(card.balance_rials, sale.gift_card_rials)
    program = await tenants.program_settings(session, user.tenant_id)
    examined = await purchases.examine(session, who, sale.purchase(member_id, net), lang)
    points_rials = sale.redeem_points * program.point_value_rials
    # What the sale leaves to pay, as the purchase computes it (``examine`` counts points on the part
    # not paid from stored value, unless the programme says otherwise).
    paid = net - coupon_rials - points_rials
    card_rials = 0
    if card is not None:
        card_rials = sale.gift_card_rials or max(0, min(card.balance_rials, paid - sale.wallet_rials))
    return Preview(
        total_rials=sale.total_rials,
        reward_rials=reward_rials,
        reward_name=reward_name,
        coupon_rials=coupon_rials,
        points_rials=points_rials,
        paid_rials=paid,
        points_earned=examined.points_total,
        available=balance.available,
        wallet_rials=sale.wallet_rials,
        gift_card_rials=card_rials,
        cashback_rials=examined.cashback_rials,
        stamps=examined.stamps,
    )


class _Refused(BashgahError):
    """A refusal a service already put in words (a coupon's verdict)."""

    status = 409
    code = "refused"

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(None)

    def message(self, lang: str, show: Show | None = None) -> str:
        return self.text


def _typed_sale(form: Any) -> SaleForm:
    return SaleForm(
        total=forms.text(form, "total", 40),
        redeem=forms.text(form, "redeem", 20),
        coupon=forms.text(form, "coupon", 64),
        reward=forms.text(form, "reward", 16),
        branch=forms.text(form, "branch", 64),
        items=forms.text(form, "items", 5000),
        key=forms.text(form, "key", 64),
        wallet=forms.text(form, "wallet", 40),
        gift_card=forms.text(form, "gift_card", 64),
        gift_card_amount=forms.text(form, "gift_card_amount", 40),
    )


@router.post("/members/{member_id}/sale", response_class=HTMLResponse)
async def sale(request: Request, user: Cashier, member_id: int) -> Response:
    """Step 1 (``step=review``) prices the sale for the cashier to confirm; step 2 (``step=confirm``)
    records it and opens the receipt. Nothing is written before the confirmation."""
    form = await checked_form(request, user)
    typed = _typed_sale(form)
    lang = language(request, user)
    try:
        sale = _read_sale(typed, user.money_unit, user)
        if forms.text(form, "step") != "confirm":
            async with database(request).transaction() as session:
                preview = await _price(session, user, member_id, sale, lang)
                member = await members.get(session, user.tenant_id, member_id)
            return render(
                request,
                "pos/confirm.html",
                face="pos",
                user=user,
                m=member,
                mobile=local_mobile(member.mobile),
                # One line: the item lines travel on in a hidden field.
                sale=replace(
                    typed, items="; ".join(x.strip() for x in typed.items.splitlines() if x.strip())
                ),
                items=sale.items,
                preview=preview,
            )
        return await _record(request, user, member_id, sale)
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("total", "out of range", "خارج از بازه", "مبلغ خرید")
        return await _member_page(
            request,
            user,
            member_id,
            sale=typed,
            errors=[_message(error, lang, user.money_unit)],
            status=_status(error),
        )


def _status(error: Exception) -> int:
    return error.status if isinstance(error, BashgahError) else 409


async def _record(request: Request, user: StaffUser, member_id: int, sale: Sale) -> Response:
    """One transaction: the sale (points, coupon), the reward marked used, the key remembered, the audit
    line. A second submit of the same form fails inside and is answered with the first receipt."""
    db = database(request)
    lang = language(request, user)
    key, fp = f"pos-sale:{sale.key}", sale.fingerprint(member_id)
    try:
        async with db.transaction() as session:
            reward_rials = 0
            if sale.reward:
                reward_rials, _ = await _reward_off(
                    session, user, member_id, sale.reward, sale.total_rials, lang
                )
            net = sale.total_rials - reward_rials
            if net <= 0:
                raise InvalidInput(
                    "reward", "covers the whole total", "همهٔ مبلغ خرید را می‌پوشاند", "کد جایزه"
                )
            result = await purchases.record(session, user.principal, sale.purchase(member_id, net))
            if sale.reward:
                await rewards.use(session, user.tenant_id, sale.reward, lang)
            await idempotency.remember(session, user.tenant_id, key, fp, 201, _outcome(result))
            await audit.record(
                session,
                user.tenant_id,
                "pos.sale",
                user.staff_id,
                "purchase",
                result.id,
                total_rials=result.total_rials,
                points_redeemed=result.points_redeemed,
                points_earned=result.points_earned + result.points_bonus,
                coupon=sale.coupon is not None,
                reward_rials=reward_rials,
                wallet_rials=result.wallet_rials,
                gift_card_rials=result.gift_card_rials,
            )
    except (IntegrityError, BashgahError):
        async with db.transaction() as session:
            prior = await idempotency.replay(session, user.tenant_id, key, fp)
        if prior is None:
            raise
        return _redirect(f"/pos/receipts/{prior[1]['purchase_id']}?{urlencode({'sale': sale.key})}")
    query = {"sale": sale.key} | ({"reward": sale.reward} if sale.reward else {})
    return _redirect(f"/pos/receipts/{result.id}?{urlencode(query)}")


def _outcome(result: PurchaseResult) -> dict[str, Any]:
    """What the receipt shows once, beside the stored purchase: the stamps this sale put on the cards
    (and the cards it completed) and the gifts campaigns handed out with it."""
    return {
        "purchase_id": result.id,
        "stamps": [s.model_dump(mode="json") for s in result.stamps],
        "gifts": [g.model_dump(mode="json") for g in result.gifts],
    }


# ----------------------------------------------------------------------------------- receipt, refund


async def _receipt_page(
    request: Request,
    user: StaffUser,
    purchase_id: int,
    status: int = 200,
    errors: list[str] | None = None,
    refund_amount: str = "",
    refund_reason: str = "",
    **context: Any,
) -> Response:
    lang = language(request, user)
    async with database(request).transaction() as session:
        purchase = await purchases.get(session, user.principal, purchase_id)
        member = await members.get(session, user.tenant_id, purchase.member_id)
        balance = await member_points.summary(session, user.principal, purchase.member_id)
        wallet = (await wallets.read(session, user.principal, member.id, lang, limit=1)).balance
        outcome = await _sale_outcome(
            session, user, purchase_id, member.id, str(context.pop("sale", "") or ""), lang
        )
        reward = None
        code = str(context.pop("reward", "") or "").upper()
        if code:
            reward = next(
                (
                    i
                    for i in await rewards.list_instances(session, user.tenant_id, member.id, lang)
                    if i.code == code
                ),
                None,
            )
    return render(
        request,
        "pos/receipt.html",
        face="pos",
        user=user,
        status=status,
        p=purchase,
        m=member,
        mobile=local_mobile(member.mobile),
        balance=balance,
        wallet=wallet,
        stamps=outcome[0],
        gifts=outcome[1],
        reward=reward,
        refund_key=forms.new_form_key(),
        refund_amount=refund_amount,
        refund_reason=refund_reason,
        errors=errors or [],
        **context,
    )


async def _sale_outcome(
    session: AsyncSession, user: StaffUser, purchase_id: int, member_id: int, key: str, lang: str
) -> tuple[list[StampsEarned], list[GiftGiven]]:
    """The stamps and gifts the till's sale with this form key gave (as remembered with it)."""
    if not key:
        return [], []
    stored = await idempotency.recall(session, user.tenant_id, f"pos-sale:{key.strip().upper()[:64]}")
    if not isinstance(stored, dict) or stored.get("purchase_id") != purchase_id:
        return [], []
    earned = [StampsEarned.model_validate(s) for s in stored.get("stamps", [])]
    if earned:  # the cards' names in the page's language, not the sale's
        names = {c.card_id: c.name for c in await stamps.progress(session, user.tenant_id, member_id, lang)}
        earned = [e.model_copy(update={"name": names.get(e.card_id, e.name)}) for e in earned]
    return earned, [GiftGiven.model_validate(g) for g in stored.get("gifts", [])]


@router.get("/receipts/{purchase_id}", response_class=HTMLResponse)
async def receipt(
    request: Request,
    user: Cashier,
    purchase_id: int,
    sale: str = "",
    reward: str = "",
    refunded: int | None = None,
    taken: int = 0,
    given: int = 0,
) -> Response:
    """The receipt; after a refund also what it gave back (``refunded`` rials, points ``taken`` back from
    what the sale earned, points ``given`` back of those it spent)."""
    refund = {"cash": refunded, "taken": taken, "given": given} if refunded is not None else None
    return await _receipt_page(request, user, purchase_id, reward=reward, sale=sale, refund=refund)


@router.post("/receipts/{purchase_id}/refund", response_class=HTMLResponse)
async def refund(request: Request, user: Cashier, purchase_id: int) -> Response:
    """Refund part (an amount) or all of what is left of a receipt; points go back as the programme says."""
    form = await checked_form(request, user)
    lang = language(request, user)
    typed_amount, reason = forms.text(form, "amount", 40), forms.text(form, "reason", 500)
    key = f"pos-refund:{forms.text(form, 'key', 64)}"
    db = database(request)
    try:
        amount = forms.amount_rials(form, "amount", user.money_unit, "مبلغ بازگشتی")
        body = RefundCreate.model_validate({"amount_rials": amount or None, "reason": reason or None})
        fp = idempotency.fingerprint("POST", f"/pos/receipts/{purchase_id}/refund", body.model_dump())
        try:
            async with db.transaction() as session:
                done = await purchases.refund(session, user.principal, purchase_id, body)
                figures = {
                    "refunded": done.cash_refund_rials,
                    "taken": done.points_reversed,
                    "given": done.points_returned,
                }
                await idempotency.remember(session, user.tenant_id, key, fp, 201, figures)
                await audit.record(
                    session,
                    user.tenant_id,
                    "pos.refund",
                    user.staff_id,
                    "purchase",
                    purchase_id,
                    amount_rials=done.amount_rials,
                    points_reversed=done.points_reversed,
                    points_returned=done.points_returned,
                )
        except (IntegrityError, BashgahError):
            async with db.transaction() as session:
                prior = await idempotency.replay(session, user.tenant_id, key, fp)
            if prior is None:
                raise
            figures = prior[1]
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("amount", "out of range", "خارج از بازه", "مبلغ بازگشتی")
        return await _receipt_page(
            request,
            user,
            purchase_id,
            status=_status(error),
            errors=[_message(error, lang, user.money_unit)],
            refund_amount=typed_amount,
            refund_reason=reason,
            reward="",
            refund=None,
        )
    return _redirect(f"/pos/receipts/{purchase_id}?{urlencode(figures)}")


# ------------------------------------------------------------------------------ gift cards, top-up


async def _cards_page(
    request: Request,
    user: StaffUser,
    member_id: int | None = None,
    status: int = 200,
    errors: list[str] | None = None,
    **context: Any,
) -> Response:
    """The gift card balance check, and (with a member) the wallet top-up form."""
    lang = language(request, user)
    member, wallet = None, None
    if member_id is not None:
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
            wallet = (await wallets.read(session, user.principal, member_id, lang, limit=1)).balance
    values: dict[str, Any] = {"code": "", "card": None, "amount": "", "reference": ""}
    values.update(context)
    return render(
        request,
        "pos/gift_cards.html",
        face="pos",
        user=user,
        status=status,
        m=member,
        mobile=local_mobile(member.mobile) if member else "",
        wallet=wallet,
        top_up_key=forms.new_form_key(),
        errors=errors or [],
        **values,
    )


@router.get("/gift-cards", response_class=HTMLResponse)
async def gift_cards_page(
    request: Request, user: Cashier, code: str = "", member: int | None = None, topped: int | None = None
) -> Response:
    """Check a gift card's balance by its code (typed or scanned)."""
    code = to_latin_digits(code).strip().upper()[:64]
    lang = language(request, user)
    _ = translator(lang, "pos")
    notice = _("Wallet topped up.") if topped else None
    if not code:
        return await _cards_page(request, user, member, notice=notice)
    try:
        async with database(request).transaction() as session:
            card = await gift_cards.get(session, user.principal, code)
    except BashgahError as error:
        return await _cards_page(
            request, user, member, 404, [fmt.error(error, lang, user.money_unit)], code=code
        )
    return await _cards_page(request, user, member, code=code, card=card)


@router.post("/members/{member_id}/top-up", response_class=HTMLResponse)
async def top_up(request: Request, user: Cashier, member_id: int) -> Response:
    """Money the member pays at the till goes into their wallet; the form's key makes it happen once."""
    form = await checked_form(request, user)
    lang = language(request, user)
    typed, reference = forms.text(form, "amount", 40), forms.text(form, "reference", 64)
    key = f"pos-top-up:{forms.text(form, 'key', 64)}"
    db = database(request)
    try:
        amount = forms.amount_rials(form, "amount", user.money_unit, "مبلغ شارژ", required=True)
        body = TopUpCreate.model_validate({"amount_rials": amount, "reference": reference or None})
        fp = idempotency.fingerprint("POST", f"/pos/members/{member_id}/top-up", body.model_dump())
        try:
            async with db.transaction() as session:
                done = await wallets.top_up(session, user.principal, member_id, body)
                await idempotency.remember(
                    session, user.tenant_id, key, fp, 201, {"transfer_id": done.transfer_id}
                )
                await audit.record(
                    session,
                    user.tenant_id,
                    "pos.wallet_top_up",
                    user.staff_id,
                    "member",
                    member_id,
                    amount_rials=done.amount_rials,
                )
        except (IntegrityError, BashgahError):
            async with db.transaction() as session:
                prior = await idempotency.replay(session, user.tenant_id, key, fp)
            if prior is None:
                raise
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("amount", "out of range", "خارج از بازه", "مبلغ شارژ")
        return await _cards_page(
            request,
            user,
            member_id,
            status=_status(error),
            errors=[_message(error, lang, user.money_unit)],
            amount=typed,
            reference=reference,
        )
    return _redirect(f"/pos/gift-cards?{urlencode({'member': member_id, 'topped': 1})}")
