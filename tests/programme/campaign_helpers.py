"""Helpers for campaign scenarios."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from scenarios import ok
from support import Club

_n = itertools.count(1)

COFFEE = {"sku": "CF-1", "category": "coffee", "brand": "lavazza", "quantity": 2, "unit_price_rials": 100_000}
CAKE = {"sku": "CK-1", "category": "cake", "quantity": 1, "unit_price_rials": 200_000}
THURSDAY_EVENING = "2026-11-26T19:30:00+03:30"
WEDNESDAY_EVENING = "2026-11-25T19:30:00+03:30"


def bonus(points: int, key: str = "x", **rule: Any) -> dict[str, Any]:
    """A campaign rule that gives a fixed ``points`` bonus on each sale it matches; ``rule`` adds its
    ``conditions``."""
    return {"key": key, **rule, "effects": [{"type": "fixed_bonus", "points": points}]}


async def new_campaign(
    client: httpx.AsyncClient, club: Club, name_fa: str, *rules: dict[str, Any], **body: Any
) -> dict[str, Any]:
    """A campaign named ``name_fa`` with ``rules`` (or ``body["rules"]``) and the rest of ``body``."""
    campaign = {"name_fa": name_fa, **({"rules": list(rules)} if rules else {}), **body}
    created: dict[str, Any] = await ok(client, club, "/api/v1/campaigns", campaign)
    return created


async def event(
    client: httpx.AsyncClient, club: Club, member_id: int, name: str, key: str | None = None, **fields: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/events",
        json={"member": {"id": member_id}, "name": name, **fields},
        headers=club.headers("integration", **{"Idempotency-Key": key or f"e-{next(_n)}"}),
    )
