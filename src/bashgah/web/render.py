"""Rendering a page: the Jinja2 environment, the language of the request and what every template gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bashgah.auth.sessions import MemberUser, StaffUser, new_token
from bashgah.web import fmt
from bashgah.web.i18n import LANGUAGES, clean_language, direction, translator

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
STATIC_URL = "/static/web"
LANG_COOKIE = "bg_lang"
#: CSRF token of a visitor who is not signed in yet (the login forms), sent back as a form field.
ANON_CSRF_COOKIE = "bg_csrf"
YEAR = 365 * 24 * 3600

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

#: Pages load nothing from another host and run no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

User = StaffUser | MemberUser | None


def language(request: Request, user: User = None) -> str:
    """The page language: the visitor's choice (cookie), else the staff member's saved one, else the default."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if isinstance(user, StaffUser) and user.language in LANGUAGES:
        return user.language
    return clean_language(request.app.state.settings.default_language)


def is_https(request: Request) -> bool:
    """Whether cookies go out marked Secure: always with ``BASHGAH_SECURE_COOKIES``, else when the request
    came over HTTPS (behind a proxy, as uvicorn's ``--proxy-headers`` reports it)."""
    settings = getattr(request.app.state, "settings", None)
    return request.url.scheme == "https" or bool(getattr(settings, "secure_cookies", False))


class StrictTransport:
    """``Strict-Transport-Security`` on every response (pages and API), once the site is served over HTTPS
    (``BASHGAH_SECURE_COOKIES``): browsers then never try plain HTTP for it again."""

    def __init__(self, app: ASGIApp, seconds: int) -> None:
        self.app = app
        self.header = (b"strict-transport-security", f"max-age={seconds}; includeSubDomains".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        await self.app(scope, receive, with_header)


def csrf_token(request: Request, user: User) -> str:
    """The token a form of this page must carry: the session's, or the anonymous visitor's cookie."""
    if user is not None:
        return user.csrf_token
    token = request.cookies.get(ANON_CSRF_COOKIE) or getattr(request.state, "anon_csrf", None)
    if not token:
        token = new_token()
        request.state.anon_csrf = token
    return str(token)


def render(
    request: Request,
    template: str,
    *,
    face: str = "common",
    user: User = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` for ``face`` (its Babel domain) in the request's language."""
    lang = language(request, user)
    unit = user.money_unit if isinstance(user, StaffUser) else context.pop("money_unit", "toman")
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "dir": direction(lang),
        "face": face,
        "user": user,
        "csrf": csrf_token(request, user),
        "static": STATIC_URL,
        "path": request.url.path,
        "_": translator(lang, face),
        "num": lambda value: fmt.number(value, lang),
        "digits": lambda value: fmt.digits(value, lang),
        "mobile_of": lambda e164: fmt.mobile(e164, lang),
        "code_of": lambda value: fmt.code(value, lang),
        "card_of": lambda number: fmt.card(number, lang),
        "money": lambda rials: fmt.money(rials, lang, unit),
        "money_unit": fmt.unit_name(unit, lang),
        "day": lambda value: fmt.day(value, lang),
        "moment": lambda value: fmt.moment(value, lang),
        "ltr": fmt.ltr,
        "errors": [],
        "notice": None,
    }
    values.update(context)
    response = HTMLResponse(env.get_template(template).render(values), status_code=status)
    finish(request, response)
    return response


def finish(request: Request, response: Any) -> None:
    """Security headers, and the anonymous CSRF cookie when this page minted one."""
    response.headers.update(SECURITY_HEADERS)
    minted = getattr(request.state, "anon_csrf", None)
    if minted and request.cookies.get(ANON_CSRF_COOKIE) != minted:
        response.set_cookie(
            ANON_CSRF_COOKIE, minted, httponly=True, samesite="lax", secure=is_https(request), path="/"
        )
