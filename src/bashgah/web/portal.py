"""The member portal (/m): sign in with a code sent by SMS, then the member's points, history, rewards,
coupons and profile. Mobile first.

Every page takes the member's id from their session (``require_member``), never from the address or
the form, so a member can only ever read and change their own things. The member's session is a
``web_sessions`` row with ``member_id`` set: it opens no staff page, and a staff session opens no page
here. A receipt's QR code points at ``/m/<club>/login``; with a single club ``/m/login`` is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bashgah.core.errors import BashgahError, InvalidInput, NotFound
from bashgah.core.jalali import to_jalali_str
from bashgah.core.normalize import normalize_phone, to_persian_digits
from bashgah.coupons import service as coupon_service
from bashgah.ledger import member_points
from bashgah.members import service as members
from bashgah.members.schemas import MemberUpdate
from bashgah.models import Member, Tenant, utcnow
from bashgah.portal import otp
from bashgah.portal import service as portal
from bashgah.portal.errors import CodeTooSoon, TooManyCodes
from bashgah.rewards import service as rewards
from bashgah.rewards.schemas import RewardInstanceRead, RewardOffer, RewardRead
from bashgah.sms.gateway import SmsGateway, from_settings
from bashgah.stamps import reading as stamps
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import MemberTierRead
from bashgah.wallet import service as wallets
from bashgah.web import fmt, sessions
from bashgah.web.guard import CsrfRejected, checked_form, database, require_member, safe_next
from bashgah.web.i18n import LANGUAGES, translator
from bashgah.web.qr import qr_svg
from bashgah.web.render import LANG_COOKIE, YEAR, is_https, language, render
from bashgah.web.sessions import MemberUser

router = APIRouter(prefix="/m", include_in_schema=False)
SignedIn = Annotated[MemberUser, Depends(require_member)]
FACE = "portal"
HISTORY_PAGE = 20


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def gateway(request: Request) -> SmsGateway:
    """The app's SMS gateway (``app.state.sms_gateway``), made from the settings on first use.

    Raises SmsNotConfigured in production without a chosen gateway (the sign-in page says so)."""
    found: SmsGateway | None = getattr(request.app.state, "sms_gateway", None)
    if found is None:
        found = from_settings(None, request.app.state.settings.development)
        request.app.state.sms_gateway = found
    return found


def addresses(request: Request) -> otp.AddressWindow:
    """Sign-in codes asked for per client address, whatever the number (``app.state``, this process)."""
    found: otp.AddressWindow | None = getattr(request.app.state, "portal_addresses", None)
    if found is None:
        found = otp.AddressWindow()
        request.app.state.portal_addresses = found
    return found


@dataclass(frozen=True)
class Club:
    slug: str
    name: str
    money_unit: str


def _club(tenant: Tenant) -> Club:
    return Club(tenant.slug, tenant.name, tenant.money_display)


async def _club_of(session: AsyncSession, tenant_id: int) -> Club:
    tenant = await session.get(Tenant, tenant_id)
    assert tenant is not None
    return _club(tenant)


@dataclass(frozen=True)
class Tab:
    href: str
    label: str
    current: bool


@dataclass(frozen=True)
class Navigation:
    #: Every part of the club, in one row of tabs at the top (wider screens).
    tabs: list[Tab]
    #: The phone's bar at the bottom: the places a member goes most, and "More" for the rest.
    bar: list[Tab]
    #: What the "More" page lists.
    more: list[Tab]


MORE = "/m/more"


def navigation(path: str, lang: str) -> Navigation:
    _ = translator(lang, FACE)
    home, card, rewards_, mine = (
        ("/m", _("Home")),
        ("/m/card", _("Membership card")),
        ("/m/rewards", _("Rewards")),
        ("/m/my-rewards", _("My rewards")),
    )
    rest = [
        ("/m/history", _("History")),
        ("/m/wallet", _("Wallet")),
        ("/m/coupons", _("Coupons")),
        ("/m/stamps", _("Stamp cards")),
        ("/m/profile", _("Profile")),
    ]
    # A reward's own page belongs to the rewards tab; a page of "More" lights up "More" on the phone.
    section = "/m/my-rewards" if path.startswith("/m/my-rewards") else path
    if section.startswith("/m/rewards"):
        section = "/m/rewards"

    def tabs(items: list[tuple[str, str]]) -> list[Tab]:
        return [Tab(href, label, href == section) for href, label in items]

    in_more = section == MORE or any(href == section for href, _label in rest)
    bar = [*tabs([home, card, rewards_, mine]), Tab(MORE, _("More"), in_more)]
    return Navigation(tabs([home, card, rest[0], rewards_, mine, *rest[1:]]), bar, tabs(rest))


def page(
    request: Request, template: str, club: Club | None, user: MemberUser | None = None, **context: Any
) -> HTMLResponse:
    lang = language(request, user)
    return render(
        request,
        f"portal/{template}",
        face=FACE,
        user=user,
        club=club,
        money_unit=club.money_unit if club else "toman",
        nav=navigation(request.url.path, lang) if user else None,
        **context,
    )


async def _form(request: Request, user: MemberUser | None) -> FormData | None:
    """The POSTed form, or None when its CSRF token is missing or old (nothing is done then)."""
    try:
        return await checked_form(request, user)
    except CsrfRejected:
        return None


def _expired(request: Request, user: MemberUser | None) -> HTMLResponse:
    return page(request, "expired.html", None, user, status=403)


def _not_found(request: Request, club: Club, user: MemberUser) -> HTMLResponse:
    return page(request, "not_found.html", club, user, status=404)


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


# --------------------------------------------------------------------------------------------- signing in


async def _single_club(request: Request) -> Club | None:
    async with database(request).transaction() as session:
        found = (await session.scalars(select(Tenant).order_by(Tenant.id).limit(2))).all()
    return _club(found[0]) if len(found) == 1 else None


async def _named_club(request: Request, slug: str) -> Club | None:
    async with database(request).transaction() as session:
        try:
            return _club(await otp.club_by_slug(session, slug))
        except NotFound:
            return None


async def _current(request: Request) -> MemberUser | None:
    async with database(request).transaction() as session:
        return await sessions.member_user(session, request.cookies.get(sessions.COOKIE), utcnow())


async def _login_page(request: Request, club: Club | None, next_path: str, status: int = 200) -> Response:
    if await _current(request) is not None:
        return redirect(safe_next(next_path, "/m") if next_path.startswith("/m") else "/m")
    return page(request, "login.html", club, status=status, mobile="", next=next_path, club_slug="")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "", club: str = "") -> Response:
    found = await _named_club(request, club) if club else await _single_club(request)
    return await _login_page(request, found, safe_next(next, ""))


@router.get("/{slug}/login", response_class=HTMLResponse)
async def club_login_page(request: Request, slug: str, next: str = "") -> Response:
    found = await _named_club(request, slug)
    if found is None:
        return page(
            request,
            "login.html",
            None,
            status=404,
            mobile="",
            next="",
            club_slug=slug,
            errors=[fmt.error(NotFound("Club", "باشگاه"), language(request))],
        )
    return await _login_page(request, found, safe_next(next, ""))


@router.post("/login", response_class=HTMLResponse)
async def send_code(request: Request) -> Response:
    """Ask for a code. A mobile that is not a member's gets the same page (and no SMS)."""
    form = await _form(request, None)
    if form is None:
        return _expired(request, None)
    slug, mobile, next_path = (
        _text(form, "club", 64),
        _text(form, "mobile", 32),
        safe_next(form.get("next"), ""),
    )
    lang = language(request)
    club: Club | None = None
    try:
        address = request.client.host if request.client else "unknown"
        if not addresses(request).hit(address):
            raise TooManyCodes()
        async with database(request).transaction() as session:
            club = _club(await otp.club_by_slug(session, slug))
            sent = await otp.request_code(session, gateway(request), slug, mobile, utcnow(), lang)
    except CodeTooSoon as error:
        # A code went out seconds ago and still works (back button, double tap): the box to type it, with
        # the wait for a new one. A number that is not a member's gets the same page, as on the first ask.
        return page(
            request,
            "code.html",
            club,
            status=error.status,
            notice=fmt.error(error, lang),
            mobile=normalize_phone(mobile),
            next=next_path,
            digits=otp.CODE_DIGITS,
            minutes=int(otp.CODE_LIFETIME.total_seconds() // 60),
        )
    except BashgahError as error:
        club = club or await _named_club(request, slug)
        return page(
            request,
            "login.html",
            club,
            status=error.status,
            errors=[fmt.error(error, lang)],
            mobile=mobile,
            next=next_path,
            club_slug=slug,
        )
    return page(
        request,
        "code.html",
        club,
        mobile=sent.mobile,
        next=next_path,
        digits=otp.CODE_DIGITS,
        minutes=int(otp.CODE_LIFETIME.total_seconds() // 60),
    )


@router.post("/login/code", response_class=HTMLResponse)
async def check_code(request: Request) -> Response:
    form = await _form(request, None)
    if form is None:
        return _expired(request, None)
    slug, mobile, code = _text(form, "club", 64), _text(form, "mobile", 32), _text(form, "code", 32)
    next_path = safe_next(form.get("next"), "")
    settings = request.app.state.settings
    lang = language(request)
    now = utcnow()
    cookie = None
    club: Club | None = None
    try:
        async with database(request).transaction() as session:
            result = await otp.verify_code(session, slug, mobile, code, now)
            club = await _club_of(session, result.tenant_id)
            if result.member_id is not None:
                cookie = await sessions.start(
                    session, result.tenant_id, now, settings.web_session_hours, member_id=result.member_id
                )
        error = result.error
    except BashgahError as raised:
        error = raised
        club = await _named_club(request, slug)
    if cookie is None:
        assert error is not None
        return page(
            request,
            "code.html",
            club,
            status=error.status,
            errors=[fmt.error(error, lang)],
            mobile=mobile,
            next=next_path,
            digits=otp.CODE_DIGITS,
            minutes=int(otp.CODE_LIFETIME.total_seconds() // 60),
        )
    response = redirect(next_path if next_path.startswith("/m") else "/m")
    response.set_cookie(
        sessions.COOKIE,
        cookie,
        max_age=settings.web_session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    user = await _current(request)
    form = await _form(request, user)
    if form is None:
        return _expired(request, user)
    slug = ""
    async with database(request).transaction() as session:
        if user is not None:
            slug = (await _club_of(session, user.tenant_id)).slug
        await sessions.end(session, request.cookies.get(sessions.COOKIE))
    response = redirect(f"/m/{slug}/login" if slug else "/m/login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.post("/lang")
async def switch_language(request: Request) -> Response:
    user = await _current(request)
    form = await _form(request, user)
    if form is None:
        return _expired(request, user)
    lang = form.get("lang")
    response = redirect(safe_next(form.get("next"), "/m"))
    if isinstance(lang, str) and lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=YEAR, httponly=True, samesite="lax", secure=is_https(request), path="/"
        )
    return response


# ------------------------------------------------------------------------------------------------ pages


async def _tier(session: AsyncSession, user: MemberUser, lang: str) -> MemberTierRead | None:
    found = await tiers.ladder(session, user.tenant_id)
    if found is None or not found.enabled:
        return None
    return await tiers.summary(session, user.tenant_id, user.member_id, lang)


@router.get("", response_class=HTMLResponse)
async def home(request: Request, user: SignedIn) -> Response:
    lang = language(request, user)
    now = utcnow()
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        member = await members.get(session, user.tenant_id, user.member_id)
        worth = await portal.worth(session, user.tenant_id, user.member_id, now)
        expiries = await portal.coming_expiries(session, user.tenant_id, user.member_id, now)
        tier = await _tier(session, user, lang)
        recent = await member_points.history(
            session, portal.principal_of(user.tenant_id, user.member_id), user.member_id, lang, limit=5
        )
    return page(
        request,
        "home.html",
        club,
        user,
        member=member,
        worth=worth,
        expiries=expiries,
        tier=tier,
        recent=recent.items,
    )


@router.get("/history", response_class=HTMLResponse)
async def history(request: Request, user: SignedIn, before: int | None = None) -> Response:
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        found = await member_points.history(
            session,
            portal.principal_of(user.tenant_id, user.member_id),
            user.member_id,
            lang,
            before=before,
            limit=HISTORY_PAGE,
        )
    return page(request, "history.html", club, user, lines=found.items, next_before=found.next_before)


def _offer(reward: RewardRead, lang: str, money: Any) -> str:
    """What a reward gives, in a few words."""
    _ = translator(lang, FACE)
    if reward.kind == "discount_amount" and reward.discount_rials:
        return _("%(amount)s off your purchase", amount=money(reward.discount_rials))
    if reward.kind == "discount_percent" and reward.discount_percent:
        percent = (
            to_persian_digits(str(reward.discount_percent)) if lang == "fa" else str(reward.discount_percent)
        )
        return _(
            "%(percent)s%% off, at most %(amount)s",
            percent=percent,
            amount=money(reward.max_discount_rials or 0),
        )
    if reward.kind == "wallet_credit" and reward.credit_rials:
        return _("%(amount)s in your wallet", amount=money(reward.credit_rials))
    return {
        "discount_amount": _("A discount on your purchase"),
        "discount_percent": _("A discount on your purchase"),
        "free_product": _("A free product"),
        "physical_gift": _("A gift"),
        "partner_voucher": _("A partner's voucher"),
        "free_shipping": _("Free delivery"),
        "wallet_credit": _("Credit in your wallet"),
    }.get(reward.kind, _("A reward"))


@dataclass(frozen=True)
class Coming:
    """A reward the member cannot afford yet: how far they are, in words and as a share of its cost."""

    reward: RewardRead
    to_go: str
    percent: int


def _coming(offer: RewardOffer, lang: str) -> Coming:
    _ = translator(lang, FACE)
    left = offer.points_to_go
    cost = offer.reward.cost_points
    to_go = _("1 point to go") if left == 1 else _("%(points)s points to go", points=fmt.number(left, lang))
    percent = (cost - left) * 100 // cost if cost > 0 else 100
    return Coming(offer.reward, to_go, max(0, min(100, percent)))


async def _rewards_page(
    request: Request, user: MemberUser, status: int = 200, errors: list[str] | None = None
) -> HTMLResponse:
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        worth = await portal.worth(session, user.tenant_id, user.member_id, utcnow())
        found = await rewards.offers(session, user.tenant_id, user.member_id, lang)
    offered = [o.reward for o in found if o.points_to_go == 0]
    coming = [_coming(o, lang) for o in sorted(found, key=lambda o: o.points_to_go) if o.points_to_go > 0]
    return page(
        request,
        "rewards.html",
        club,
        user,
        status=status,
        errors=errors or [],
        worth=worth,
        offered=offered,
        coming=coming,
        offer=_offer,
    )


@router.get("/rewards", response_class=HTMLResponse)
async def rewards_page(request: Request, user: SignedIn) -> Response:
    return await _rewards_page(request, user)


def _known_id(reward_id: int) -> None:
    """An id no row can have (beyond the database's 64 bits) is simply not found, not a database error."""
    if not 0 < reward_id < 2**63:
        raise NotFound("Reward", "جایزه")


@router.get("/rewards/{reward_id}", response_class=HTMLResponse)
async def confirm_redeem(request: Request, reward_id: int, user: SignedIn) -> Response:
    """The confirm step: the reward, its cost and the points before and after. Nothing is spent here."""
    lang = language(request, user)
    try:
        _known_id(reward_id)
        async with database(request).transaction() as session:
            club = await _club_of(session, user.tenant_id)
            preview = await rewards.preview(session, user.tenant_id, user.member_id, reward_id, lang)
    except BashgahError as error:
        return await _rewards_page(request, user, status=error.status, errors=[error.message(lang)])
    return page(
        request,
        "redeem.html",
        club,
        user,
        preview=preview,
        offer=_offer(preview.reward, lang, lambda rials: fmt.money(rials, lang, club.money_unit)),
    )


@router.post("/rewards/{reward_id}/redeem", response_class=HTMLResponse)
async def redeem(request: Request, reward_id: int, user: SignedIn) -> Response:
    """Spends the points, but only from the confirm step's form; any other post goes to that step."""
    form = await _form(request, user)
    if form is None:
        return _expired(request, user)
    if form.get("step") != "confirm":
        return redirect(f"/m/rewards/{reward_id}")
    lang = language(request, user)
    try:
        _known_id(reward_id)
        async with database(request).transaction() as session:
            got = await rewards.redeem(
                session, portal.principal_of(user.tenant_id, user.member_id), user.member_id, reward_id, lang
            )
    except BashgahError as error:
        # The transaction rolled back: no points left and no stock was taken.
        return await _rewards_page(request, user, status=error.status, errors=[fmt.error(error, lang)])
    return redirect(f"/m/my-rewards/{got.code}?new=1")


async def _mine(session: AsyncSession, user: MemberUser, lang: str) -> list[RewardInstanceRead]:
    return await rewards.list_instances(session, user.tenant_id, user.member_id, lang)


@router.get("/my-rewards", response_class=HTMLResponse)
async def my_rewards(request: Request, user: SignedIn) -> Response:
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        mine = await _mine(session, user, lang)
    return page(request, "my_rewards.html", club, user, mine=mine)


@router.get("/my-rewards/{code}", response_class=HTMLResponse)
async def reward_code(request: Request, code: str, user: SignedIn, new: int = 0) -> Response:
    """One of the member's own rewards, its code shown big for the till; another member's is not found."""
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        mine = [i for i in await _mine(session, user, lang) if i.code == code.strip().upper()]
        worth = await portal.worth(session, user.tenant_id, user.member_id, utcnow())
    if not mine:
        return _not_found(request, club, user)
    return page(request, "reward_code.html", club, user, got=mine[0], worth=worth, new=bool(new))


@router.get("/card", response_class=HTMLResponse)
async def membership_card(request: Request, user: SignedIn) -> Response:
    """The digital membership card: the QR code the till scans (``members.qr_payload``, which the till's
    lookup accepts as scanned) and the card number to type when there is no scanner."""
    lang = language(request, user)
    now = utcnow()
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        member = await members.get(session, user.tenant_id, user.member_id)
        worth = await portal.worth(session, user.tenant_id, user.member_id, now)
        tier = await _tier(session, user, lang)
    return page(
        request,
        "card.html",
        club,
        user,
        member=member,
        worth=worth,
        level=tier.level.name if tier else "",
        card_number=fmt.card(member.card_number, lang),
        qr=qr_svg(members.qr_payload(member.card_number)),
    )


@router.get("/more", response_class=HTMLResponse)
async def more(request: Request, user: SignedIn) -> Response:
    """The rest of the club on a phone, whose bottom bar holds only the most used places."""
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
    return page(request, "more.html", club, user)


@router.get("/coupons", response_class=HTMLResponse)
async def coupons(request: Request, user: SignedIn) -> Response:
    """The codes the club gave the member (usable first) and the coupons they used on purchases."""
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        used = await portal.coupons_used(session, user.tenant_id, user.member_id)
        given = await coupon_service.member_coupons(session, user.tenant_id, user.member_id)
    given.sort(key=lambda c: not c.usable)  # stable: newest first within each group
    return page(request, "coupons.html", club, user, used=used, given=given)


@router.get("/wallet", response_class=HTMLResponse)
async def wallet(request: Request, user: SignedIn, before: int | None = None) -> Response:
    """The wallet: what can be spent, cashback still pending, credit expiring soon, and the statement."""
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        found = await wallets.read(
            session,
            portal.principal_of(user.tenant_id, user.member_id),
            user.member_id,
            lang,
            before=before,
            limit=HISTORY_PAGE,
        )
    return page(request, "wallet.html", club, user, wallet=found)


@router.get("/stamps", response_class=HTMLResponse)
async def stamp_cards(request: Request, user: SignedIn) -> Response:
    """Progress on each stamp card, and the cards the member filled with their reward codes."""
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        cards = await stamps.progress(session, user.tenant_id, user.member_id, lang)
    return page(
        request, "stamps.html", club, user, cards=[c for c in cards if c.active or c.stamps or c.completed]
    )


def _birth_text(member: Member, lang: str) -> str:
    if member.birth_date is None:
        return ""
    return (
        to_persian_digits(to_jalali_str(member.birth_date)) if lang == "fa" else member.birth_date.isoformat()
    )


def _profile_values(member: Member, lang: str) -> dict[str, Any]:
    return {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "birth_date": _birth_text(member, lang),
        "email": member.email or "",
        "sms_consent": member.sms_consent,
        "email_consent": member.email_consent,
    }


@router.get("/profile", response_class=HTMLResponse)
async def profile(request: Request, user: SignedIn, saved: int = 0) -> Response:
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await _club_of(session, user.tenant_id)
        member = await members.get(session, user.tenant_id, user.member_id)
    return page(
        request,
        "profile.html",
        club,
        user,
        member=member,
        values=_profile_values(member, lang),
        saved=bool(saved),
        invalid="",
    )


@router.post("/profile", response_class=HTMLResponse)
async def save_profile(request: Request, user: SignedIn) -> Response:
    form = await _form(request, user)
    if form is None:
        return _expired(request, user)
    lang = language(request, user)
    values: dict[str, Any] = {
        "first_name": _text(form, "first_name", 100),
        "last_name": _text(form, "last_name", 100),
        "birth_date": _text(form, "birth_date", 16),
        "email": _text(form, "email", 254),
        "sms_consent": form.get("sms_consent") == "1",
        "email_consent": form.get("email_consent") == "1",
    }
    try:
        change = MemberUpdate(**values, consent_source="portal")
        async with database(request).transaction() as session:
            await members.update(session, user.tenant_id, user.member_id, change)
    except (BashgahError, ValidationError) as error:
        message = fmt.error(error, lang) if isinstance(error, BashgahError) else _invalid_message(lang)
        invalid = error.field if isinstance(error, InvalidInput) else ""
        async with database(request).transaction() as session:
            club = await _club_of(session, user.tenant_id)
            member = await members.get(session, user.tenant_id, user.member_id)
        status = error.status if isinstance(error, BashgahError) else 422
        return page(
            request,
            "profile.html",
            club,
            user,
            status=status,
            errors=[message],
            member=member,
            values=values,
            saved=False,
            invalid=invalid,
        )
    return redirect("/m/profile?saved=1")


def _invalid_message(lang: str) -> str:
    _ = translator(lang, FACE)
    return _("Some of the values are too long. Nothing was saved.")
