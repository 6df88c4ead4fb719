"""Who may open a page: ``require_staff(*roles)`` / ``require_member`` dependencies and the CSRF check.

Not signed in → a redirect to the face's login page; signed in with the wrong role → a 403 page; a POST
whose token is missing or wrong → a 403 page. Nothing of the request is done in those cases.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from bashgah.auth import sessions
from bashgah.auth.sessions import MemberUser, StaffUser
from bashgah.core.db import Database
from bashgah.core.errors import NulCharacter, UnreadableForm
from bashgah.models import utcnow
from bashgah.web.render import ANON_CSRF_COOKIE, User

#: Roles of each face. Analysts read the console and change nothing; cashiers only use the POS.
POS_ROLES = ("owner", "manager", "cashier")
CONSOLE_ROLES = ("owner", "manager", "analyst")
CSRF_FIELD = "csrf"


class LoginRequired(Exception):
    def __init__(self, login_path: str, next_path: str) -> None:
        super().__init__(next_path)
        self.login_path = login_path
        self.next_path = next_path


class PageForbidden(Exception):
    def __init__(self, user: User) -> None:
        super().__init__("forbidden")
        self.user = user


class CsrfRejected(Exception):
    def __init__(self, user: User) -> None:
        super().__init__("csrf")
        self.user = user


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _next_path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def current_staff(request: Request) -> StaffUser | None:
    async with database(request).transaction() as session:
        return await sessions.staff_user(session, request.cookies.get(sessions.COOKIE), utcnow())


def require_staff(*roles: str) -> Callable[[Request], Awaitable[StaffUser]]:
    """A dependency giving the signed-in staff member, if their role is one of ``roles`` (any when empty)."""

    async def signed_in_staff(request: Request) -> StaffUser:
        user = await current_staff(request)
        if user is None:
            raise LoginRequired("/login", _next_path(request))
        if roles and user.role not in roles:
            raise PageForbidden(user)
        return user

    return signed_in_staff


async def current_member(request: Request) -> MemberUser | None:
    async with database(request).transaction() as session:
        return await sessions.member_user(session, request.cookies.get(sessions.COOKIE), utcnow())


async def require_member(request: Request) -> MemberUser:
    """A dependency giving the member signed in to the portal."""
    user = await current_member(request)
    if user is None:
        raise LoginRequired("/m/login", _next_path(request))
    return user


async def checked_form(request: Request, user: User) -> FormData:
    """The POSTed form, after checking its CSRF token against the session's (or, before sign-in, against
    the visitor's CSRF cookie). A form that cannot be read (a field over the parser's 1 MB) or that
    carries a NUL character is refused with a message, before anything is done."""
    try:
        form = await request.form()
    except (MultiPartException, HTTPException) as error:
        raise UnreadableForm() from error
    for name, value in form.multi_items():
        if isinstance(value, str) and "\x00" in value:
            raise NulCharacter(name)
    expected = user.csrf_token if user is not None else request.cookies.get(ANON_CSRF_COOKIE)
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not sessions.same_token(given, expected):
        raise CsrfRejected(user)
    return form


def safe_next(value: object, default: str) -> str:
    """Only a path on this site may be a redirect target (no ``//host`` or ``https://host``)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def home_of(role: str) -> str:
    return "/pos" if role == "cashier" else "/console"
