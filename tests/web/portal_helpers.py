"""Helpers of the member portal's tests: a club with the SMS outbox in the test's folder, members who
sign in with the code the development gateway wrote, and the club's tiers and rewards set up through
the API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from web_helpers import LiveServer, WebClient

from bashgah.api.app import create_app
from bashgah.core.config import Settings
from bashgah.core.db import Database
from bashgah.sms.gateway import FileGateway
from support import Club

CODE = re.compile(r"\b(\d{6})\b")
NEXT = re.compile(r'name="next" value="([^"]*)"')
LADDER = {
    "metric": "spend",
    "levels": [
        {"code": "silver", "name_fa": "نقره‌ای", "name_en": "Silver", "threshold": 0},
        {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 50_000_000},
    ],
}


def last_code(outbox: FileGateway, mobile: str) -> str:
    """The code of the newest SMS to ``mobile`` (E.164)."""
    sent = outbox.messages(mobile)
    assert sent, f"no SMS was sent to {mobile}"
    found = CODE.search(sent[-1].text)
    assert found, sent[-1].text
    return found.group(1)


@dataclass
class Portal:
    """The app with its SMS outbox; ``browser()`` opens another cookie jar on it (another person)."""

    app: Any
    db: Database
    club: Club
    outbox: FileGateway

    @asynccontextmanager
    async def browser(self) -> AsyncIterator[WebClient]:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield WebClient(http, self.db, self.club)


@asynccontextmanager
async def portal_app(db: Database, club: Club, folder: Path) -> AsyncIterator[Portal]:
    app = create_app(Settings(database_url=db.url), db=db)
    outbox = FileGateway(folder / "sms.jsonl")
    app.state.sms_gateway = outbox
    yield Portal(app, db, club, outbox)


async def add_reward(http: httpx.AsyncClient, club: Club, cost: int = 100, **fields: Any) -> int:
    """A reward of the club made through the API (a free coffee unless ``fields`` say otherwise); its id."""
    coffee = {"name_fa": "قهوهٔ رایگان", "name_en": "Free coffee", "kind": "free_product", "sku": "COF"}
    created = await http.post(
        "/api/v1/rewards", json={**coffee, "cost_points": cost, **fields}, headers=club.headers()
    )
    assert created.status_code == 201, created.text
    reward_id: int = created.json()["id"]
    return reward_id


async def ask_code(web: WebClient, mobile: str, club: str | None = None) -> httpx.Response:
    return await web.submit(
        f"/m/{club or web.club.slug}/login", "/m/login", {"club": club or web.club.slug, "mobile": mobile}
    )


async def enter_code(web: WebClient, mobile_e164: str, code: str) -> httpx.Response:
    """Send the code form of the page the last request showed (its CSRF token and hidden fields)."""
    from web_helpers import csrf_of

    token = csrf_of(web.last_html)
    form = web.last_html.partition('action="/m/login/code"')[2]
    found = NEXT.search(form)
    data = {"csrf": token, "club": web.club.slug, "mobile": mobile_e164, "code": code}
    response = await web.http.post("/m/login/code", data={**data, "next": found.group(1) if found else ""})
    if "text/html" in response.headers.get("content-type", ""):
        web.last_html = response.text
    return response


async def sign_in_member(web: WebClient, outbox: FileGateway, mobile: str, e164: str) -> None:
    asked = await ask_code(web, mobile)
    assert asked.status_code == 200, asked.text
    done = await enter_code(web, e164, last_code(outbox, e164))
    assert done.status_code == 303, done.text


async def in_english(web: WebClient, page: str = "/m") -> None:
    """Switch the portal to English with ``page``'s language form, as the member would, and back to it."""
    switched = await web.submit(page, "/m/lang", {"lang": "en", "next": page})
    assert switched.status_code == 303 and switched.headers["location"] == page, switched.text


def visit_card(
    live_server: LiveServer, api: httpx.Client, name_fa: str, name_en: str, needed: int, sku: str
) -> None:
    """The club's stamp card of visits with a free product at the end, made once per live server."""
    if live_server.extra.get(f"visit-card-{sku}"):
        return
    card = {
        "name_fa": name_fa,
        "name_en": name_en,
        "stamps_needed": needed,
        "earn": {"per": "visit"},
        "reward": {"kind": "free_product", "sku": sku},
    }
    made = api.post("/api/v1/stamp-cards", json=card, headers=live_server.club.headers("manager"))
    assert made.status_code == 201, made.text
    live_server.extra[f"visit-card-{sku}"] = True
