"""Fixtures of the web pages' tests: ``web`` (in process), ``live_server``, ``browser`` and ``page``.

What they do is told in web_helpers.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from web_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    IN_CI,
    LiveServer,
    PageGuard,
    WebClient,
    in_thread,
    small_club,
)

from bashgah.api.app import create_app
from bashgah.core.config import Settings
from bashgah.core.db import Database
from bashgah.core.migrate import upgrade
from support import Club, free_port


@pytest.fixture
async def web(client: httpx.AsyncClient, db: Database, club: Club) -> WebClient:
    return WebClient(client, db, club)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('live')}/bashgah.db"
    upgrade(url)
    club = in_thread(small_club(url))
    port = free_port()
    app = create_app(Settings(database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", club, url)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: run `make browser` (or apt-get install chromium) for the browser tests"
        )
        if IN_CI:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Module scope: Playwright's sync API runs an event loop in this thread while it is open, which the
    # async tests of the next modules could not share.

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def guard(live_server: LiveServer) -> PageGuard:
    return PageGuard(urlsplit(live_server.url).netloc)


@pytest.fixture
def page(browser: Any, live_server: LiveServer, guard: PageGuard) -> Iterator[Any]:
    """A fresh browser tab (own cookies) at desktop size; the test fails if the guard saw anything."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    tab = context.new_page()
    tab.on("console", guard.console)
    tab.on("pageerror", guard.page_error)
    tab.on("request", guard.request)
    yield tab
    context.close()
    assert guard.problems == [], guard.problems
