"""The pages every face shares: sign-in, sign-out, the language switch, the error pages; and ``install``,
which mounts the static files and every face's router on the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bashgah.auth import sessions
from bashgah.core.errors import BashgahError
from bashgah.models import utcnow
from bashgah.staff import service as staff_service
from bashgah.tenants import service as tenants
from bashgah.web import audit, fmt, forms
from bashgah.web.guard import (
    CsrfRejected,
    LoginRequired,
    PageForbidden,
    checked_form,
    current_staff,
    database,
    home_of,
    safe_next,
)
from bashgah.web.i18n import LANGUAGES
from bashgah.web.render import LANG_COOKIE, STATIC, STATIC_URL, YEAR, is_https, language, render

router = APIRouter(include_in_schema=False)


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def set_session_cookie(request: Request, response: Response, value: str, hours: int) -> None:
    response.set_cookie(
        sessions.COOKIE,
        value,
        max_age=hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def set_language_cookie(request: Request, response: Response, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE, lang, max_age=YEAR, httponly=True, samesite="lax", secure=is_https(request), path="/"
    )


async def _default_club(request: Request) -> str:
    """The club slug the sign-in form starts with: the only club, when there is exactly one."""
    async with database(request).transaction() as session:
        only = await tenants.only_tenant(session)
    return only.slug if only is not None else ""


async def sign_out(request: Request, to: str) -> Response:
    """End the session of the request's cookie (whoever's it is) and go to ``to``."""
    async with database(request).transaction() as session:
        await sessions.end(session, request.cookies.get(sessions.COOKIE))
    response = redirect(to)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "") -> Response:
    user = await current_staff(request)
    if user is not None:
        return redirect(safe_next(next, home_of(user.role)))
    return render(
        request,
        "common/login.html",
        tenant=await _default_club(request),
        username="",
        next=safe_next(next, ""),
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await checked_form(request, None)
    tenant, username = str(form.get("tenant", "")), str(form.get("username", ""))
    password, next_path = str(form.get("password", "")), safe_next(form.get("next"), "")
    settings = request.app.state.settings
    now = utcnow()
    async with database(request).transaction() as session:
        result = await staff_service.login(
            session,
            tenant,
            username,
            password,
            now,
            address=request.client.host if request.client else "unknown",
            max_failures=settings.login_max_failures,
            lock_minutes=settings.login_lock_minutes,
        )
        person = result.staff
        if person is not None:
            # A new id at every sign-in (an id planted before it is worth nothing); ended ones are cleared.
            await sessions.end(session, request.cookies.get(sessions.COOKIE))
            await sessions.purge_expired(session, now)
            cookie = await sessions.start(
                session, person.tenant_id, now, settings.web_session_hours, person.id
            )
            await audit.record(session, person.tenant_id, "staff.login", person.id, "staff", person.id)
        elif result.locked is not None:
            locked = result.locked
            await audit.record(session, locked.tenant_id, "staff.locked", locked.id, "staff", locked.id)
    if person is None:
        assert result.error is not None
        return render(
            request,
            "common/login.html",
            status=result.error.status,
            errors=[fmt.error(result.error, language(request))],
            tenant=tenant,
            username=username,
            next=next_path,
        )
    response = redirect(safe_next(next_path, home_of(person.role)))
    set_session_cookie(request, response, cookie, settings.web_session_hours)
    if person.language in LANGUAGES and LANG_COOKIE not in request.cookies:
        set_language_cookie(request, response, person.language)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    user = await current_staff(request)
    await checked_form(request, user)
    return await sign_out(request, "/login")


@router.post("/lang")
async def switch_language(request: Request) -> Response:
    """Switch the pages' language; a signed-in staff member keeps it as their preference."""
    user = await current_staff(request)
    form = await checked_form(request, user)
    lang = forms.text(form, "lang", 8)
    response = redirect(safe_next(form.get("next"), "/login"))
    if lang not in LANGUAGES:
        return response
    if user is not None:
        async with database(request).transaction() as session:
            await staff_service.set_language(session, user.tenant_id, user.staff_id, lang)
    set_language_cookie(request, response, lang)
    return response


@router.get("/")
async def front(request: Request) -> Response:
    user = await current_staff(request)
    return redirect(home_of(user.role) if user is not None else "/login")


Handler = Callable[[Request, Any], Awaitable[Response]]
#: Paths of the web pages; everything else (``/api``, ``/docs``…) keeps the API's JSON errors.
PAGE_PREFIXES = ("/pos", "/console", "/m", "/login", "/logout", "/lang")


def is_page(request: Request) -> bool:
    path = request.url.path
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


def _page_errors(app: FastAPI) -> None:
    """Errors on a page are pages too (localised, with the header), not the API's JSON."""
    api_http = cast(Handler, app.exception_handlers[StarletteHTTPException])
    api_domain = cast(Handler, app.exception_handlers[BashgahError])
    api_crash = cast(Handler, app.exception_handlers[Exception])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page(request):
            return await api_http(request, exc)
        if exc.status_code == 404:
            return render(request, "common/error.html", status=404, kind="not_found")
        message = BashgahError().message(language(request))  # "the request could not be processed"
        return render(request, "common/error.html", status=exc.status_code, kind="error", message=message)

    @app.exception_handler(BashgahError)
    async def _domain(request: Request, exc: BashgahError) -> Response:
        if not is_page(request):
            return await api_domain(request, exc)
        return render(
            request,
            "common/error.html",
            status=exc.status,
            kind="error",
            message=fmt.error(exc, language(request)),
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        response = await api_crash(request, exc)  # logs it
        if not is_page(request):
            return response
        return render(request, "common/error.html", status=500, kind="crash")


def install(app: FastAPI) -> None:
    """Mount the web faces on the API's app (after the API's error handlers are installed)."""
    from bashgah.web.console import router as console_router
    from bashgah.web.portal import router as portal_router
    from bashgah.web.pos import router as pos_router

    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="web-static")
    for face in (router, pos_router, console_router, portal_router):
        app.include_router(face)
    _page_errors(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return redirect(f"{exc.login_path}?{urlencode({'next': exc.next_path})}")

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        return render(request, "common/error.html", user=exc.user, status=403, kind="forbidden")

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, exc: CsrfRejected) -> Response:
        return render(request, "common/error.html", user=exc.user, status=403, kind="csrf")
