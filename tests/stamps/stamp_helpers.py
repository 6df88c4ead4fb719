"""Making stamp cards and selling coffee through the API, as a café's staff would."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from support import Club, bought

_n = itertools.count(1)

COFFEE_CARD: dict[str, Any] = {
    "name_fa": "کارت قهوه",
    "name_en": "Coffee card",
    "stamps_needed": 10,
    "earn": {"per": "unit", "items": {"categories": ["coffee"]}},
    "reward": {"kind": "free_product", "sku": "CF-1"},
}


def coffees(n: int, price: int = 100_000) -> list[dict[str, Any]]:
    return [{"sku": "CF-1", "category": "coffee", "quantity": n, "unit_price_rials": price}]


async def new_card(client: httpx.AsyncClient, club: Club, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/stamp-cards", json={**COFFEE_CARD, **fields}, headers=club.headers("manager")
    )
    assert response.status_code == 201, response.text
    card: dict[str, Any] = response.json()
    return card


async def sell(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, **fields: Any
) -> dict[str, Any]:
    return await bought(client, club, member_id, total, role="cashier", **fields)


async def sell_coffee(client: httpx.AsyncClient, club: Club, member_id: int, n: int = 1) -> dict[str, Any]:
    return await sell(client, club, member_id, n * 100_000, items=coffees(n))


async def cards_of(client: httpx.AsyncClient, club: Club, member_id: int, lang: str = "en") -> list[Any]:
    response = await client.get(
        f"/api/v1/members/{member_id}/stamp-cards", headers=club.headers(**{"Accept-Language": lang})
    )
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()
    return found


async def give_back(client: httpx.AsyncClient, club: Club, purchase_id: int, **body: Any) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/purchases/{purchase_id}/refunds",
        json=body,
        headers=club.headers("owner", **{"Idempotency-Key": f"r-{next(_n)}"}),
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
