"""Helpers of the web pages' tests (the fixtures are in conftest.py).

In process (fast): ``web`` is an httpx client on the app with a cookie jar and helpers to sign in and to
send forms with their CSRF token.

In a real browser: ``live_server`` runs the app with uvicorn in a thread on a free port, over a migrated
SQLite file with a small club; ``browser`` is Debian's Chromium driven by Playwright (never Playwright's
own download). Without /usr/bin/chromium the browser tests skip — except under ``CI=true``, where that
is a failure. ``page`` fails its test on any console error and on any request to another host.
``shot(page, name)`` saves ``artifacts/screenshots/{name}-{lang}-{desktop|phone}.png``.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.models import AuditEntry
from bashgah.staff import service as staff_service
from bashgah.tenants import service as tenants
from support import Club, make_club

T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1024, "height": 768}
PHONE = {"width": 375, "height": 812}
PASSWORD = "till-password-1"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def add_staff(
    db: Database, club: Club, username: str, role: str, branch: str | None = "main", password: str = PASSWORD
) -> None:
    async with db.transaction() as session:
        branch_id = (
            (await tenants.resolve_branch(session, club.tenant_id, branch, None)).id
            if branch and role == "cashier"
            else None
        )
        await staff_service.add(
            session, club.tenant_id, username, username.title(), role, branch_id, password=password
        )


@dataclass
class WebClient:
    """A browser-like client: keeps cookies, reads each form's CSRF token from the page it came from."""

    http: httpx.AsyncClient
    db: Database
    club: Club
    last_html: str = ""

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        if "text/html" in response.headers.get("content-type", ""):
            self.last_html = response.text
        return response

    async def submit(self, page: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Open ``page`` and send its form to ``action`` with the CSRF token the page carried."""
        await self.get(page)
        token = csrf_of(self.last_html)
        response = await self.http.post(action, data={"csrf": token, **data})
        if "text/html" in response.headers.get("content-type", ""):
            self.last_html = response.text
        return response

    async def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return await self.submit(
            "/login", "/login", {"tenant": self.club.slug, "username": username, "password": password}
        )

    async def sign_in_as(self, role: str, username: str | None = None) -> None:
        """Create a staff member with this role and sign in as them."""
        username = username or f"{role}1"
        await add_staff(self.db, self.club, username, role)
        response = await self.sign_in(username)
        assert response.status_code == 303, response.text


# ------------------------------------------------------------------------------------------ browser


@dataclass
class LiveServer:
    url: str
    club: Club
    db_url: str
    extra: dict[str, Any] = field(default_factory=dict)

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


def in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on its own event loop, in a thread (a test's loop may be running)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def small_club(url: str) -> Club:
    db = Database(url, pool_size=2)
    try:
        club = await make_club(db, "shop")
        await add_staff(db, club, "kasra", "cashier")
        await add_staff(db, club, "sara", "owner")
    finally:
        await db.dispose()
    return club


@dataclass
class PageGuard:
    """What a page did wrong: console errors, uncaught exceptions, requests to other hosts."""

    host: str
    problems: list[str] = field(default_factory=list)
    #: HTTP statuses a test expects a page to answer with (a 403 page): the browser logs those as
    #: "Failed to load resource", which is then not a problem.
    expected_statuses: set[int] = field(default_factory=set)

    def expect_status(self, status: int) -> None:
        self.expected_statuses.add(status)

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        if any(f"status of {s} " in message.text for s in self.expected_statuses):
            return
        self.problems.append(f"console error: {message.text}")

    def page_error(self, error: Any) -> None:
        self.problems.append(f"page error: {error}")

    def request(self, request: Any) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != self.host:
            self.problems.append(f"request to another host: {url.scheme}://{url.netloc}")


def shot(page: Any, name: str) -> None:
    """Save the page at desktop and at phone width: ``{name}-{lang}-{desktop|phone}.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lang = page.evaluate("document.documentElement.lang") or "xx"
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{label}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


async def audit_actions(web: WebClient, prefix: str = "", *, object_type: str | None = None) -> list[str]:
    """The audit log's actions in the order written (sign-ins left out), those starting with ``prefix``
    or about ``object_type`` when given."""
    query = select(AuditEntry.action).where(AuditEntry.action != "staff.login")
    if prefix:
        query = query.where(AuditEntry.action.like(f"{prefix}%"))
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    async with web.db.transaction() as session:
        return list((await session.scalars(query.order_by(AuditEntry.id))).all())


async def bronze_and_gold(web: WebClient) -> None:
    """The club's tier ladder: bronze from the start, gold from 10,000,000 rials."""
    from bashgah.tiers import service as tiers
    from bashgah.tiers.schemas import TierConfigUpdate

    bronze = {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0}
    gold = {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 10_000_000}
    async with web.db.transaction() as session:
        await tiers.configure(
            session, web.club.tenant_id, TierConfigUpdate.model_validate({"levels": [bronze, gold]})
        )


def sign_in_to_console(page: Any, live_server: LiveServer, username: str = "sara") -> None:
    """Sign in on the staff sign-in page as ``username`` and wait for the console's front page."""
    page.goto("/login?next=/console")
    page.fill("#tenant", live_server.club.slug)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/console")
