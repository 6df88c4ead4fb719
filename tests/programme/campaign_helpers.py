"""Helpers for campaign scenarios."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from support import Club, bought

_n = itertools.count(1)

COFFEE = {"sku": "CF-1", "category": "coffee", "brand": "lavazza", "quantity": 2, "unit_price_rials": 100_000}
CAKE = {"sku": "CK-1", "category": "cake", "quantity": 1, "unit_price_rials": 200_000}
THURSDAY_EVENING = "2026-11-26T19:30:00+03:30"
WEDNESDAY_EVENING = "2026-11-25T19:30:00+03:30"


async def new_campaign(client: httpx.AsyncClient, club: Club, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/campaigns", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def sale(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, **fields: Any
) -> dict[str, Any]:
    return await bought(client, club, member_id, total, role="cashier", **fields)


async def event(
    client: httpx.AsyncClient, club: Club, member_id: int, name: str, key: str | None = None, **fields: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/events",
        json={"member": {"id": member_id}, "name": name, **fields},
        headers=club.headers("integration", **{"Idempotency-Key": key or f"e-{next(_n)}"}),
    )
