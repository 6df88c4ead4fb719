"""One member at 20 tills at once on a 10-stamp card: every stamp counted, exactly two free coffees.

On PostgreSQL the sales queue on the member's account row lock; SQLite's single writer serialises them.
"""

from __future__ import annotations

import asyncio

import httpx
from stamp_helpers import cards_of, coffees

from bashgah.core.db import Database
from support import Club, ledger_problems, sale_body


async def test_20_coffees_bought_at_the_same_instant_fill_exactly_two_cards(
    client: httpx.AsyncClient, club: Club, db: Database, holder: int
) -> None:
    async def till(i: int) -> httpx.Response:
        return await client.post(
            "/api/v1/purchases",
            json=sale_body(holder, 100_000, external_id=f"rush-{i}", items=coffees(1)),
            headers=club.headers("cashier", **{"Idempotency-Key": f"rush-{i}"}),
        )

    responses = await asyncio.gather(*(till(i) for i in range(20)))

    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    codes = [c["reward_code"] for r in responses for c in r.json()["stamps"][0]["completed"]]
    assert len(codes) == 2 and len(set(codes)) == 2
    [progress] = await cards_of(client, club, holder)
    assert progress["stamps"] == 0 and sorted(c["reward_code"] for c in progress["completed"]) == sorted(
        codes
    )
    rewards = (await client.get(f"/api/v1/members/{holder}/rewards", headers=club.headers())).json()["items"]
    assert len(rewards) == 2
    assert await ledger_problems(db) == []
