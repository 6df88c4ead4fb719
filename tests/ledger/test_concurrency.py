"""Many tills at once on one member: exactly the right number succeed and the ledger stays exact."""

from __future__ import annotations

import asyncio

import httpx

from bashgah.core.db import Database
from bashgah.ledger.verify import verify
from support import Club, balance, enrol, give_points


async def test_100_concurrent_redemptions_of_100_on_1000_points_exactly_10_succeed(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await enrol(client, club)
    await give_points(client, club, member["id"], 1000)

    async def redeem(i: int) -> httpx.Response:
        return await client.post(
            "/api/v1/redemptions",
            json={"member": {"id": member["id"]}, "points": 100, "branch": "main"},
            headers=club.headers("cashier", **{"Idempotency-Key": f"hold-{i}"}),
        )

    responses = await asyncio.gather(*(redeem(i) for i in range(100)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 10
    assert codes.count(409) == 90
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"insufficient_points"}
    held = [r.json()["id"] for r in responses if r.status_code == 201]
    commits = await asyncio.gather(
        *(client.post(f"/api/v1/redemptions/{rid}/commit", headers=club.headers("cashier")) for rid in held)
    )
    assert all(c.status_code == 200 for c in commits), [c.text for c in commits]
    after = await balance(client, club, member["id"])
    assert after["available"] == 0 and after["total"] == 0 and after["lifetime_redeemed"] == 1000
    async with db.transaction() as session:
        report = await verify(session)
    assert report.ok, report.problems
