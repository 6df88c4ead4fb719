"""Signing in to the portal with a code sent by SMS, signing out, and the language switch."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from bashgah.auth import sessions
from bashgah.auth.sessions import MemberUser
from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.normalize import normalize_phone
from bashgah.models import utcnow
from bashgah.portal import otp
from bashgah.portal.errors import CodeTooSoon, TooManyCodes
from bashgah.sms.gateway import SmsGateway, from_settings
from bashgah.tenants import service as tenants
from bashgah.web import fmt, forms
from bashgah.web.guard import current_member, database, safe_next
from bashgah.web.i18n import LANGUAGES
from bashgah.web.pages import set_language_cookie, set_session_cookie, sign_out
from bashgah.web.portal.common import (
    Club,
    club_of,
    expired,
    named_club,
    page,
    portal_router,
    posted,
    redirect,
)
from bashgah.web.render import language

router = portal_router()


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


async def _single_club(request: Request) -> Club | None:
    async with database(request).transaction() as session:
        only = await tenants.only_tenant(session)
    return Club.of(only) if only is not None else None


async def _login_page(request: Request, club: Club | None, next_path: str, status: int = 200) -> Response:
    if await current_member(request) is not None:
        return redirect(safe_next(next_path, "/m") if next_path.startswith("/m") else "/m")
    return page(request, "login.html", club, status=status, mobile="", next=next_path, club_slug="")


def _code_page(request: Request, club: Club | None, mobile: str, next_path: str, **context: Any) -> Response:
    """The box to type the code sent to ``mobile``, and how long it works."""
    minutes = int(otp.CODE_LIFETIME.total_seconds() // 60)
    return page(
        request,
        "code.html",
        club,
        mobile=mobile,
        next=next_path,
        digits=otp.CODE_DIGITS,
        minutes=minutes,
        **context,
    )


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "", club: str = "") -> Response:
    found = await named_club(request, club) if club else await _single_club(request)
    return await _login_page(request, found, safe_next(next, ""))


@router.get("/{slug}/login", response_class=HTMLResponse)
async def club_login_page(request: Request, slug: str, next: str = "") -> Response:
    found = await named_club(request, slug)
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
    form = await posted(request, None)
    if form is None:
        return expired(request, None)
    slug, mobile = forms.text(form, "club", 64), forms.text(form, "mobile", 32)
    next_path = safe_next(form.get("next"), "")
    lang = language(request)
    club: Club | None = None
    try:
        address = request.client.host if request.client else "unknown"
        if not addresses(request).hit(address):
            raise TooManyCodes()
        async with database(request).transaction() as session:
            club = Club.of(await otp.club_by_slug(session, slug))
            sent = await otp.request_code(session, gateway(request), slug, mobile, utcnow(), lang)
    except CodeTooSoon as error:
        # A code went out seconds ago and still works (back button, double tap): the box to type it, with
        # the wait for a new one. A number that is not a member's gets the same page, as on the first ask.
        return _code_page(
            request,
            club,
            normalize_phone(mobile),
            next_path,
            status=error.status,
            notice=fmt.error(error, lang),
        )
    except BashgahError as error:
        club = club or await named_club(request, slug)
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
    return _code_page(request, club, sent.mobile, next_path)


@router.post("/login/code", response_class=HTMLResponse)
async def check_code(request: Request) -> Response:
    form = await posted(request, None)
    if form is None:
        return expired(request, None)
    slug, mobile, code = (
        forms.text(form, "club", 64),
        forms.text(form, "mobile", 32),
        forms.text(form, "code", 32),
    )
    next_path = safe_next(form.get("next"), "")
    settings = request.app.state.settings
    now = utcnow()
    cookie = None
    club: Club | None = None
    try:
        async with database(request).transaction() as session:
            result = await otp.verify_code(session, slug, mobile, code, now)
            club = await club_of(session, result.tenant_id)
            if result.member_id is not None:
                cookie = await sessions.start(
                    session, result.tenant_id, now, settings.web_session_hours, member_id=result.member_id
                )
        error = result.error
    except BashgahError as raised:
        error = raised
        club = await named_club(request, slug)
    if cookie is None:
        assert error is not None
        errors = [fmt.error(error, language(request))]
        return _code_page(request, club, mobile, next_path, status=error.status, errors=errors)
    response = redirect(next_path if next_path.startswith("/m") else "/m")
    set_session_cookie(request, response, cookie, settings.web_session_hours)
    return response


async def _visitor_form(request: Request) -> tuple[MemberUser | None, FormData | None]:
    """Whoever sends the form (a member or a visitor) and the form, None when its CSRF token is bad."""
    user = await current_member(request)
    return user, await posted(request, user)


@router.post("/logout")
async def logout(request: Request) -> Response:
    user, form = await _visitor_form(request)
    if form is None:
        return expired(request, user)
    slug = ""
    if user is not None:
        async with database(request).transaction() as session:
            slug = (await club_of(session, user.tenant_id)).slug
    return await sign_out(request, f"/m/{slug}/login" if slug else "/m/login")


@router.post("/lang")
async def switch_language(request: Request) -> Response:
    user, form = await _visitor_form(request)
    if form is None:
        return expired(request, user)
    lang = forms.text(form, "lang", 8)
    response = redirect(safe_next(form.get("next"), "/m"))
    if lang in LANGUAGES:
        set_language_cookie(request, response, lang)
    return response
