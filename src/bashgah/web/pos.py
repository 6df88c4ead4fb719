"""The cashier's till (/pos): find or enrol a member, record a sale (points, coupon, reward code), print the
receipt, refund it. Every action calls the same services as the API, one transaction per use case; the
sale and the refund forms carry a key rendered with the form, so sending one twice does it once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import (
    BashgahError,
    DuplicateMember,
    InsufficientPoints,
    InvalidInput,
    NotFound,
    Show,
)
from bashgah.core.normalize import (
    local_mobile,
    looks_like_phone,
    normalize_reference,
    to_latin_digits,
    to_persian_digits,
)
from bashgah.coupons import rules as coupon_rules
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import CouponCheck, MemberCouponRead
from bashgah.giftcards import service as gift_cards
from bashgah.giftcards.schemas import GiftCardRead
from bashgah.idempotency import service as idempotency
from bashgah.ledger import member_points
from bashgah.ledger.schemas import BalanceRead
from bashgah.members import service as members
from bashgah.members.schemas import MemberCreate
from bashgah.models import Branch, Member
from bashgah.programme.schemas import ExamineResult, GiftGiven
from bashgah.purchases import service as purchases
from bashgah.purchases.schemas import (
    PurchaseCreate,
    PurchaseRead,
    PurchaseResult,
    RefundCreate,
    RefundRead,
    RefundResult,
)
from bashgah.rewards import service as rewards
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
from bashgah.web.qr import qr_svg
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


# --------------------------------------------------------------------------------------- find, enrol


def _lookup_page(request: Request, user: StaffUser, status: int = 200, **context: Any) -> Response:
    values: dict[str, Any] = {"q": "", "number": "", "found": None, "enrol": EnrolForm(), "existing": None}
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
        phone = found.matched_by == "mobile" or looks_like_phone(to_latin_digits(q))
        return _lookup_page(
            request, user, q=q, found=[], enrol=EnrolForm(mobile=q if phone else ""), focus_enrol=phone
        )
    return _lookup_page(request, user, q=q, found=found.members)


@dataclass
class EnrolForm:
    """The enrolment as the cashier typed it: the mobile, and optionally the name and the birthday (Jalali
    ``1370/05/12`` or Gregorian, any digits)."""

    mobile: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: str = ""


@router.post("/enrol")
async def enrol(request: Request, user: Cashier) -> Response:
    """A new member enrolled at the cashier's branch: the mobile is enough, a name and a birthday may come
    with it. A mobile that is already a member's is answered with a link to that member."""
    form = await checked_form(request, user)
    typed = EnrolForm(
        mobile=forms.text(form, "mobile", 32),
        first_name=forms.text(form, "first_name", 100),
        last_name=forms.text(form, "last_name", 100),
        birth_date=forms.text(form, "birth_date", 16),
    )
    existing: Member | None = None
    try:
        body = MemberCreate.model_validate(
            {
                "mobile": typed.mobile or "-",
                "first_name": typed.first_name,
                "last_name": typed.last_name,
                "birth_date": typed.birth_date or None,
                "consent_source": "pos",
            }
        )
        async with database(request).transaction() as session:
            body.branch = await _branch_code(session, user)
            member = await members.create(session, user.tenant_id, body)
            await audit.record(session, user.tenant_id, "pos.enrol", user.staff_id, "member", member.id)
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("mobile", "not a valid mobile number", "شماره موبایل معتبر نیست", "موبایل")
        if isinstance(error, DuplicateMember):
            async with database(request).transaction() as session:
                try:
                    existing = await members.get_by_mobile(session, user.tenant_id, body.mobile)
                except NotFound:  # a national code or a race: no one member to link to
                    existing = None
        return _lookup_page(
            request,
            user,
            409 if existing else _status(error),
            enrol=typed,
            existing=existing,
            focus_enrol=True,
            errors=[_message(error, language(request, user), user.money_unit)],
        )
    return _redirect(f"/pos/members/{member.id}?enrolled=1")


@router.get("/receipt", response_class=HTMLResponse)
async def find_receipt(request: Request, user: Cashier, number: str = "") -> Response:
    """Open a receipt by its number (to print it again or refund it)."""
    number = normalize_reference(number)[:64]
    try:
        async with database(request).transaction() as session:
            try:
                purchase_id = await purchases.find_by_receipt(session, user.principal, number)
            except NotFound:  # the till's own numbers are capitals; a shop's invoice number is as typed
                purchase_id = await purchases.find_by_receipt(session, user.principal, number.upper())
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
    coupons: list[MemberCouponRead]


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
    #: The shop's own invoice number, when it has one: it becomes the sale's receipt number.
    invoice: str = ""
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
    #: The shop's invoice number (normalised); without one the form's key is the receipt number.
    invoice: str | None = None

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
            "invoice": self.invoice,
        }
        return idempotency.fingerprint("POST", "/pos/sale", body)

    def purchase(self, member_id: int) -> PurchaseCreate:
        """The sale as the API takes it: the reward code goes with it and comes off in the service."""
        return PurchaseCreate.model_validate(
            {
                "member": {"id": member_id},
                "branch": self.branch,
                "external_id": self.invoice or self.key,
                "total_rials": self.total_rials,
                "redeem_points": self.redeem_points,
                "coupon": self.coupon,
                "reward": self.reward,
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
    invoice = normalize_reference(typed.invoice)
    if len(invoice) > 64:
        raise InvalidInput("invoice", "at most 64 characters", "حداکثر ۶۴ نویسه", "شمارهٔ فاکتور فروشگاه")
    return Sale(
        invoice=invoice or None,
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


@dataclass(frozen=True)
class RewardUse:
    """A member's reward used on a sale, as the till shows it. One that takes money off is a discount
    line; one that takes nothing off (a free coffee, a gift) is something the cashier hands over."""

    name: str
    discount_rials: int
    code: str | None = None

    @property
    def hand_over(self) -> bool:
        return self.discount_rials == 0


def reward_use(name: str | None, discount_rials: int, code: str | None = None) -> RewardUse | None:
    return None if name is None and code is None else RewardUse(name or code or "", discount_rials, code)


@dataclass(frozen=True)
class Bonus:
    """Points a campaign gave on top of the sale's own, with the campaign's name."""

    name: str
    points: int


def bonuses(campaigns: Sequence[Any]) -> list[Bonus]:
    """The campaigns that gave points (examined ones that fire, or those a recorded sale applied)."""
    return [Bonus(c.name, c.points) for c in campaigns if c.points and getattr(c, "fires", True)]


@dataclass
class Preview:
    """What the confirm step shows, as the purchase service prices it: each discount, what is paid, the
    points earned."""

    total_rials: int
    reward_rials: int
    reward_name: str | None
    coupon_rials: int
    points_rials: int
    paid_rials: int
    points_earned: int
    available: int
    #: The reward used on the sale, if any, and the sale's own points beside each campaign's bonus.
    reward: RewardUse | None = None
    points_base: int = 0
    bonuses: list[Bonus] = field(default_factory=list)
    wallet_rials: int = 0
    gift_card_rials: int = 0
    cashback_rials: int = 0
    #: Stamps the sale would put on each card.
    stamps: list[StampPreview] = field(default_factory=list)

    @property
    def rest_rials(self) -> int:
        """What is left to pay in cash or by card."""
        return self.paid_rials - self.wallet_rials - self.gift_card_rials


async def _price(session: AsyncSession, user: StaffUser, member_id: int, sale: Sale, lang: str) -> Preview:
    """Price the sale without writing anything (the purchase service's own dry run); refuses what the sale
    itself would refuse, in words the cashier can act on — every problem of the form at once (points,
    coupon, reward, wallet, gift card), not only the first the service meets."""
    who = user.principal
    members.ensure_active(await members.get(session, user.tenant_id, member_id))
    problems: list[BashgahError] = []
    balance = await member_points.summary(session, who, member_id)
    asked = sale.purchase(member_id)
    if sale.redeem_points > balance.available:
        problems.append(InsufficientPoints(balance.available, sale.redeem_points))
        # Priced without the points the member does not have, so the other fields are still judged.
        asked = asked.model_copy(update={"redeem_points": 0})
    examined: ExamineResult | None = None
    try:
        examined = await purchases.examine(session, who, asked, lang)
    except BashgahError as error:
        problems.append(error)
    if sale.coupon:
        basket = sale.total_rials - (examined.reward_discount_rials if examined else 0)
        verdict = await coupons.check(
            session,
            who,
            CouponCheck.model_validate(
                {"code": sale.coupon, "member": {"id": member_id}, "total_rials": max(basket, 1)}
            ),
            lang,
            fmt.shown(lang, user.money_unit),
        )
        if not verdict.valid:
            problems.append(_Refused(verdict.reason or ""))
    if sale.wallet_rials:
        wallet = (await wallets.read(session, who, member_id, lang, limit=1)).balance
        if sale.wallet_rials > wallet.available_rials:
            problems.append(InsufficientWallet(wallet.available_rials, sale.wallet_rials))
    if sale.gift_card:
        try:
            card: GiftCardRead = await gift_cards.get(session, who, sale.gift_card)
        except BashgahError as error:
            problems.append(error)
        else:
            if card.status != "active":
                problems.append(GiftCardClosed(card.status))
            elif sale.gift_card_rials is not None and sale.gift_card_rials > card.balance_rials:
                problems.append(InsufficientGiftCard(card.balance_rials, sale.gift_card_rials))
    if problems or examined is None:
        raise SaleRefused(_unique(problems))
    return Preview(
        total_rials=examined.total_rials,
        reward_rials=examined.reward_discount_rials,
        reward_name=examined.reward_name,
        coupon_rials=examined.coupon_discount_rials,
        points_rials=examined.points_discount_rials,
        paid_rials=examined.due_rials,
        points_earned=examined.points_total,
        available=balance.available,
        reward=reward_use(examined.reward_name, examined.reward_discount_rials),
        points_base=examined.points_base,
        bonuses=bonuses(examined.campaigns),
        wallet_rials=examined.wallet_rials,
        gift_card_rials=examined.gift_card_rials,
        cashback_rials=examined.cashback_rials,
        stamps=examined.stamps,
    )


class SaleRefused(BashgahError):
    """Every problem the confirm step found in the sale form; the page lists each one."""

    status = 409
    code = "sale_refused"

    def __init__(self, problems: list[BashgahError]) -> None:
        self.problems = problems
        super().__init__(None)


def _unique(problems: list[BashgahError]) -> list[BashgahError]:
    """Each problem once (the coupon's verdict and the service may both refuse the same coupon)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for problem in problems:
        key = (type(problem).__name__, repr(getattr(problem, "params", None)) + getattr(problem, "text", ""))
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


#: The sale form's labels of the purchase fields a refusal names (the API's field names otherwise).
FORM_LABELS = {
    "redeem_points": "Points to spend",
    "coupon": "Coupon code",
    "reward": "Reward code",
    "total_rials": "Purchase total",
}


def labelled(error: BashgahError) -> BashgahError:
    """A refusal that names a field by the label the cashier reads on the sale form."""
    if not isinstance(error, InvalidInput) or error.field not in FORM_LABELS:
        return error
    label = FORM_LABELS[error.field]
    return InvalidInput(
        translator("en", "pos")(label),
        str(error.params["reason_en"]),
        str(error.params["reason_fa"]),
        translator("fa", "pos")(label),
        **error.figures,
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
        invoice=forms.text(form, "invoice", 64),
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
        found = error.problems if isinstance(error, SaleRefused) else [error]
        return await _member_page(
            request,
            user,
            member_id,
            sale=typed,
            errors=[
                _message(labelled(e) if isinstance(e, BashgahError) else e, lang, user.money_unit)
                for e in found
            ],
            status=_status(error),
        )


def _status(error: Exception) -> int:
    if isinstance(error, SaleRefused):
        return max((p.status for p in error.problems), default=409)
    return error.status if isinstance(error, BashgahError) else 409


async def _record(request: Request, user: StaffUser, member_id: int, sale: Sale) -> Response:
    """One transaction: the sale (points, coupon), the reward marked used, the key remembered, the audit
    line. A second submit of the same form fails inside and is answered with the first receipt."""
    db = database(request)
    lang = language(request, user)
    key, fp = f"pos-sale:{sale.key}", sale.fingerprint(member_id)
    try:
        async with db.transaction() as session:
            result = await purchases.record(session, user.principal, sale.purchase(member_id), lang)
            await idempotency.remember(session, user.principal, key, fp, 201, _outcome(result))
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
                reward_rials=result.reward_discount_rials,
                wallet_rials=result.wallet_rials,
                gift_card_rials=result.gift_card_rials,
            )
    except (IntegrityError, BashgahError):
        async with db.transaction() as session:
            prior = await idempotency.replay(session, user.principal, key, fp)
        if prior is None:
            raise
        return _redirect(f"/pos/receipts/{prior[1]['purchase_id']}?{urlencode({'sale': sale.key})}")
    return _redirect(f"/pos/receipts/{result.id}?{urlencode({'sale': sale.key})}")


def _outcome(result: PurchaseResult) -> dict[str, Any]:
    """What the receipt shows once, beside the stored purchase: the stamps this sale put on the cards
    (and the cards it completed) and the gifts campaigns handed out with it."""
    return {
        "purchase_id": result.id,
        "stamps": [s.model_dump(mode="json") for s in result.stamps],
        "gifts": [g.model_dump(mode="json") for g in result.gifts],
    }


# ----------------------------------------------------------------------------------- receipt, refund


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


async def _receipt_page(
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
    return render(
        request,
        "pos/receipt.html",
        face="pos",
        user=user,
        status=status,
        p=purchase,
        view=view,
        m=member,
        mobile=local_mobile(member.mobile),
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
        names = {c.card_id: c.name for c in await stamps.progress(session, user.tenant_id, member_id, lang)}
        earned = [e.model_copy(update={"name": names.get(e.card_id, e.name)}) for e in earned]
    return earned, [GiftGiven.model_validate(g) for g in stored.get("gifts", [])]


@router.get("/receipts/{purchase_id}", response_class=HTMLResponse)
async def receipt(
    request: Request, user: Cashier, purchase_id: int, sale: str = "", refund: int | None = None
) -> Response:
    """The receipt; ``sale`` (the till's form key) adds what that sale gave once, ``refund`` (a refund's
    id) shows what that refund of this purchase did — both read from what the server recorded."""
    return await _receipt_page(request, user, purchase_id, sale=sale, refund_id=refund)


@dataclass
class RefundPreview:
    """What the refund's confirm step shows: the refund's own dry run, and whether the amount is the
    whole of what is left (an empty amount means that, and the page says so)."""

    p: PurchaseRead
    plan: RefundResult
    #: The amount and the reason as typed, carried to the confirmation.
    amount: str
    reason: str
    key: str
    whole: bool
    #: (card name, stamps) the refund takes back, cards with nothing to take left out.
    stamps_taken: list[tuple[str, int]]

    @property
    def reward(self) -> RewardUse | None:
        """The reward used on the sale: a refund never gives it back (it stays used)."""
        return reward_use(self.p.reward_name, self.p.reward_discount_rials, self.p.reward_code)

    @property
    def points_taken(self) -> int:
        """Earned and bonus points the refund takes back (those already spent included, when the programme
        lets the balance go below zero)."""
        return self.plan.points_reversed


def _refund_body(form: Any, unit: str) -> RefundCreate:
    amount = forms.amount_rials(form, "amount", unit, "مبلغ بازگشتی")
    reason = forms.text(form, "reason", 500)
    try:
        return RefundCreate.model_validate({"amount_rials": amount or None, "reason": reason or None})
    except ValidationError:
        raise InvalidInput("amount", "out of range", "خارج از بازه", "مبلغ بازگشتی") from None


@router.post("/receipts/{purchase_id}/refund", response_class=HTMLResponse)
async def refund(request: Request, user: Cashier, purchase_id: int) -> Response:
    """Step 1 (``step=review``) shows what the refund would give back and take back — the refund's own dry
    run; step 2 (``step=confirm``) does it, once per form key, and opens the receipt with its notice."""
    form = await checked_form(request, user)
    lang = language(request, user)
    typed_amount, reason = forms.text(form, "amount", 40), forms.text(form, "reason", 500)
    form_key = forms.text(form, "key", 64)
    key = f"pos-refund:{form_key}"
    db = database(request)
    try:
        body = _refund_body(form, user.money_unit)
        if forms.text(form, "step") != "confirm":
            async with db.transaction() as session:
                plan = await purchases.preview_refund(session, user.principal, purchase_id, body)
                purchase = await purchases.get(session, user.principal, purchase_id, lang)
                member = await members.get(session, user.tenant_id, purchase.member_id)
                cards = {
                    c.card_id: c.name for c in await stamps.progress(session, user.tenant_id, member.id, lang)
                }
            return render(
                request,
                "pos/refund_confirm.html",
                face="pos",
                user=user,
                m=member,
                mobile=local_mobile(member.mobile),
                preview=RefundPreview(
                    p=purchase,
                    plan=plan,
                    amount=typed_amount,
                    reason=reason,
                    key=form_key,
                    whole=plan.amount_rials == purchase.total_rials - purchase.refunded_rials,
                    stamps_taken=[(cards.get(r.card_id, ""), r.stamps) for r in plan.stamps if r.stamps],
                ),
            )
        fp = idempotency.fingerprint("POST", f"/pos/receipts/{purchase_id}/refund", body.model_dump())
        try:
            async with db.transaction() as session:
                done = await purchases.refund(session, user.principal, purchase_id, body)
                await idempotency.remember(session, user.principal, key, fp, 201, {"refund_id": done.id})
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
            refund_id = done.id
        except (IntegrityError, BashgahError):
            async with db.transaction() as session:
                prior = await idempotency.replay(session, user.principal, key, fp)
            if prior is None:
                raise
            refund_id = int(prior[1].get("refund_id") or 0)
    except (BashgahError, IntegrityError) as error:
        return await _receipt_page(
            request,
            user,
            purchase_id,
            status=_status(error),
            errors=[_message(error, lang, user.money_unit)],
            refund_amount=typed_amount,
            refund_reason=reason,
        )
    return _redirect(f"/pos/receipts/{purchase_id}?{urlencode({'refund': refund_id})}")


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
                    session, user.principal, key, fp, 201, {"transfer_id": done.transfer_id}
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
                prior = await idempotency.replay(session, user.principal, key, fp)
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
