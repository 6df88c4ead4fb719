"""Making stamp cards and selling coffee through the API, as a café's staff would."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from scenarios import ok, till_sale
from support import Club, enrol

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
    card: dict[str, Any] = await ok(client, club, "/api/v1/stamp-cards", {**COFFEE_CARD, **fields})
    return card


async def sell_coffee(client: httpx.AsyncClient, club: Club, member_id: int, n: int = 1) -> dict[str, Any]:
    return await till_sale(client, club, member_id, n * 100_000, items=coffees(n))


async def cards_of(client: httpx.AsyncClient, club: Club, member_id: int, lang: str = "en") -> list[Any]:
    response = await client.get(
        f"/api/v1/members/{member_id}/stamp-cards", headers=club.headers(**{"Accept-Language": lang})
    )
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()["items"]
    return found


async def card_and_member(client: httpx.AsyncClient, club: Club, **card: Any) -> int:
    """The coffee card (changed by ``card``) and a new member: the member's id."""
    await new_card(client, club, **card)
    member: int = (await enrol(client, club))["id"]
    return member
