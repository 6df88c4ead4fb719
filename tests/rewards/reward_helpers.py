"""Making rewards and redeeming them through the API, as a shop's staff would."""

from __future__ import annotations

from itertools import count

import httpx

from scenarios import BRONZE, ladder, level
from support import Club

_n = count(1)

LADDER = ladder(BRONZE, level("gold", "طلایی", "Gold", 50_000_000))


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
