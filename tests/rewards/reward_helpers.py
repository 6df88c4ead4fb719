"""Making rewards and redeeming them through the API, as a shop's staff would."""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx

from support import Club

_n = count(1)

LADDER: dict[str, Any] = {
    "metric": "spend",
    "window": "rolling",
    "window_months": 12,
    "downgrade": "one_down",
    "grace_days": 30,
    "levels": [
        {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0},
        {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 50_000_000},
    ],
}


async def new_reward(client: httpx.AsyncClient, club: Club, **fields: Any) -> dict[str, Any]:
    body = {"name_fa": "جایزه", "name_en": "Reward", "kind": "free_shipping", "cost_points": 100, **fields}
    response = await client.post("/api/v1/rewards", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text
    reward: dict[str, Any] = response.json()
    return reward


async def redeem(
    client: httpx.AsyncClient, club: Club, member_id: int, reward_id: int, key: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/api/v1/members/{member_id}/rewards",
        json={"reward_id": reward_id},
        headers=club.headers("cashier", **{"Idempotency-Key": key or f"reward-{next(_n)}"}),
    )


async def available(client: httpx.AsyncClient, club: Club, member_id: int) -> int:
    response = await client.get(f"/api/v1/members/{member_id}/balance", headers=club.headers())
    assert response.status_code == 200, response.text
    return int(response.json()["available"])
