"""Many tills at once on one member: exactly the right number succeed and the ledger stays exact."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bashgah.core.db import Database
from scenarios import member_with
from support import Club, balance, ledger_problems, purchase, reserve


def _exactly(responses: list[httpx.Response], succeeded: int, short: int) -> None:
    """``succeeded`` answers are 201 and the ``short`` others 409 for want of points."""
    codes = [r.status_code for r in responses]
    assert (codes.count(201), codes.count(409)) == (succeeded, short)
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"insufficient_points"}


async def test_100_concurrent_redemptions_of_100_on_1000_points_exactly_10_succeed(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 1000)

    responses = await asyncio.gather(
        *(reserve(client, club, member["id"], 100, key=f"hold-{i}") for i in range(100))
    )
    _exactly(responses, 10, 90)
    held = [r.json()["id"] for r in responses if r.status_code == 201]
    commits = await asyncio.gather(
        *(client.post(f"/api/v1/redemptions/{rid}/commit", headers=club.headers("cashier")) for rid in held)
    )
    assert all(c.status_code == 200 for c in commits), [c.text for c in commits]
    after = await balance(client, club, member["id"])
    assert after["available"] == 0 and after["total"] == 0 and after["lifetime_redeemed"] == 1000
    assert await ledger_problems(db) == []


async def _exact(client: httpx.AsyncClient, club: Club, db: Database, member_id: int) -> dict[str, int]:
    """The member's balance after checking that the ledger proves it."""
    assert await ledger_problems(db) == []
    after = await balance(client, club, member_id)
    assert after["available"] + after["pending"] + after["reserved"] == after["total"]
    statement = await client.get(f"/api/v1/members/{member_id}/ledger?limit=200", headers=club.headers())
    assert sum(line["points"] for line in statement.json()["items"]) == after["total"]
    return after


async def _till(
    client: httpx.AsyncClient, club: Club, member_id: int, n: int, total: int, key: str, redeem: int = 0
) -> httpx.Response:
    """Receipt C-``n`` rung up at a till under ``key``."""
    return await purchase(
        client, club, member_id, total, redeem, key=key, role="cashier", external_id=f"C-{n}"
    )


async def _post(client: httpx.AsyncClient, club: Club, url: str, body: object, key: str) -> httpx.Response:
    return await client.post(url, json=body, headers=club.headers("cashier", **{"Idempotency-Key": key}))


async def test_20_concurrent_purchases_on_one_member_all_count(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    responses = await asyncio.gather(
        *(_till(client, club, member["id"], n, 100_000, f"p-{n}") for n in range(20))
    )
    assert [r.status_code for r in responses] == [201] * 20, [
        r.text for r in responses if r.status_code != 201
    ]
    after = await _exact(client, club, db, member["id"])
    assert (after["available"], after["lifetime_earned"]) == (200, 200)


async def test_30_concurrent_purchases_each_spending_100_of_1000_points_exactly_10_succeed(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 1000)
    responses = await asyncio.gather(
        *(_till(client, club, member["id"], n, 100_000, f"r-{n}", redeem=100) for n in range(30))
    )
    _exactly(responses, 10, 20)
    after = await _exact(client, club, db, member["id"])
    assert (after["total"], after["lifetime_redeemed"]) == (0, 1000)


async def test_15_concurrent_refunds_of_a_tenth_each_exactly_10_succeed(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 70)
    sale = await _till(client, club, member["id"], 0, 1_070_000, "sale", redeem=70)
    assert sale.json()["points_earned"] == 100
    url = f"/api/v1/purchases/{sale.json()['id']}/refunds"
    responses = await asyncio.gather(
        *(_post(client, club, url, {"amount_rials": 107_000}, f"ret-{n}") for n in range(15))
    )
    done = [r.json() for r in responses if r.status_code == 201]
    assert len(done) == 10
    assert {r.status_code for r in responses if r.status_code != 201} <= {409, 422}
    assert sum(r["points_reversed"] for r in done) == 100
    assert sum(r["points_returned"] for r in done) == 70
    after = await _exact(client, club, db, member["id"])
    assert (after["total"], after["lifetime_earned"], after["lifetime_redeemed"]) == (70, 0, 0)


async def test_concurrent_holds_then_concurrent_commits_and_cancels_are_exact(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 1000)
    holds = await asyncio.gather(
        *(
            _post(
                client, club, "/api/v1/redemptions", {"member": {"id": member["id"]}, "points": 50}, f"h-{n}"
            )
            for n in range(20)
        )
    )
    assert [h.status_code for h in holds] == [201] * 20
    assert (await balance(client, club, member["id"]))["reserved"] == 1000
    ids = [h.json()["id"] for h in holds]

    async def close(n: int, rid: int) -> httpx.Response:
        if n < 10:
            return await client.post(f"/api/v1/redemptions/{rid}/commit", headers=club.headers("cashier"))
        if n < 15:
            return await client.post(
                f"/api/v1/redemptions/{rid}/commit", json={"points": 20}, headers=club.headers("cashier")
            )
        return await client.post(f"/api/v1/redemptions/{rid}/cancel", headers=club.headers("cashier"))

    # Every hold is closed twice at once: each must end exactly once.
    closes = await asyncio.gather(
        *(close(n, rid) for n, rid in enumerate(ids)), *(close(n, rid) for n, rid in enumerate(ids))
    )
    codes = [c.status_code for c in closes]
    assert (codes.count(200), codes.count(409)) == (20, 20)
    after = await _exact(client, club, db, member["id"])
    assert (after["lifetime_redeemed"], after["available"], after["reserved"]) == (600, 400, 0)


async def test_a_mixed_rush_of_purchases_refunds_holds_and_adjustments_leaves_verify_clean(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 500)
    earlier = [
        (await _till(client, club, member["id"], 1000 + n, 300_000, f"e-{n}")).json() for n in range(5)
    ]
    hold_ids = [
        (
            await _post(
                client, club, "/api/v1/redemptions", {"member": {"id": member["id"]}, "points": 30}, f"mh-{n}"
            )
        ).json()["id"]
        for n in range(4)
    ]

    work = []
    for n in range(10):
        work.append(_till(client, club, member["id"], n, 200_000, f"m-{n}", redeem=20))
    for n, sale in enumerate(earlier):
        url = f"/api/v1/purchases/{sale['id']}/refunds"
        work.append(_post(client, club, url, {"amount_rials": 100_000}, f"mr-{n}"))
        work.append(_post(client, club, url, {"amount_rials": 100_000}, f"mr2-{n}"))
    for n, rid in enumerate(hold_ids):
        action = "commit" if n % 2 else "cancel"
        work.append(client.post(f"/api/v1/redemptions/{rid}/{action}", headers=club.headers("cashier")))
    for n in range(5):
        work.append(
            client.post(
                f"/api/v1/members/{member['id']}/adjustments",
                json={"points": 7 if n % 2 else -3, "reason": "rush test"},
                headers=club.headers("manager", **{"Idempotency-Key": f"ma-{n}"}),
            )
        )
    for n in range(10):
        work.append(
            _post(
                client,
                club,
                "/api/v1/redemptions",
                {"member": {"id": member["id"]}, "points": 15},
                f"mh2-{n}",
            )
        )
    responses = await asyncio.gather(*work)
    unexpected = [r.text for r in responses if r.status_code not in (200, 201, 409)]
    assert unexpected == []
    await _exact(client, club, db, member["id"])
