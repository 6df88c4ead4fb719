"""Helpers for wallet and gift-card scenarios: what the till and the back office send."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from programme.campaign_helpers import new_campaign
from support import Club, bought, enrol, purchase

_n = itertools.count(1)

CASHBACK_5_UP_TO_50000: dict[str, Any] = {
    "name_fa": "کش‌بک ۵٪",
    "name_en": "5% cashback",
    "rules": [{"key": "cb", "effects": [{"type": "wallet_cashback", "percent": "5", "max_rials": 50_000}]}],
}


async def top_up(
    client: httpx.AsyncClient,
    club: Club,
    member_id: int,
    rials: int,
    role: str = "cashier",
    key: str | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/members/{member_id}/wallet/top-ups",
        json={"amount_rials": rials, "reference": "POS-TRACE-1"},
        headers=club.headers(role, **{"Idempotency-Key": key or f"top-{next(_n)}"}),
    )


async def topped_up(client: httpx.AsyncClient, club: Club, member_id: int, rials: int) -> dict[str, Any]:
    response = await top_up(client, club, member_id, rials)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def wallet_of(
    client: httpx.AsyncClient, club: Club, member_id: int, lang: str = "en"
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/members/{member_id}/wallet", headers=club.headers("cashier", **{"Accept-Language": lang})
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def issue_cards(client: httpx.AsyncClient, club: Club, **body: Any) -> list[dict[str, Any]]:
    response = await client.post("/api/v1/gift-cards", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text
    cards: list[dict[str, Any]] = response.json()
    return cards


async def card(client: httpx.AsyncClient, club: Club, code: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/gift-cards/{code}", headers=club.headers("cashier"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def pay(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, key: str | None = None, **fields: Any
) -> httpx.Response:
    return await purchase(client, club, member_id, total, key=key, role="cashier", **fields)


async def paid(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, **fields: Any
) -> dict[str, Any]:
    return await bought(client, club, member_id, total, role="cashier", **fields)


async def cashback_member(client: httpx.AsyncClient, club: Club) -> dict[str, Any]:
    """A new member of a club that gives 5% cashback, up to 50,000 rials a sale."""
    await new_campaign(client, club, **CASHBACK_5_UP_TO_50000)
    return await enrol(client, club)
