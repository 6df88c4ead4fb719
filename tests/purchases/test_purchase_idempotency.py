"""A till that retries: the same Idempotency-Key replays the first answer and changes points once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from bashgah.core.db import Database
from bashgah.models import Purchase, Transfer
from scenarios import member_with
from support import (
    Club,
    add_key,
    assert_refused,
    balance,
    enrol,
    error_code,
    give_points,
    ledger_problems,
    purchase,
    reserve,
    sale_body,
)


async def till(
    client: httpx.AsyncClient, club: Club, member_id: int, key: str, total: int = 250_000, **fields: Any
) -> httpx.Response:
    """Receipt F-500 rung up at the till under ``key``: a retry sends the same receipt with the same key."""
    return await purchase(
        client, club, member_id, total, key=key, role="cashier", external_id="F-500", **fields
    )


async def count(db: Database, model: Any) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_retried_purchase_replays_the_first_response_and_earns_once(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    first = await till(client, club, member["id"], "till-1:0001")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = await till(client, club, member["id"], "till-1:0001")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (await balance(client, club, member["id"]))["available"] == 25
    assert await count(db, Purchase) == 1
    ledger = await client.get(f"/api/v1/members/{member['id']}/ledger", headers=club.headers())
    assert [line["code"] for line in ledger.json()["items"]] == ["earn"]


async def test_the_same_key_with_a_different_body_is_a_conflict_and_changes_nothing(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    await till(client, club, member["id"], "till-1:0002")
    changed = await till(client, club, member["id"], "till-1:0002", total=990_000)
    assert_refused(changed, 409, "idempotency_conflict")
    assert (await balance(client, club, member["id"]))["available"] == 25


async def test_the_same_key_on_another_endpoint_is_a_conflict(client: httpx.AsyncClient, club: Club) -> None:
    member = await member_with(client, club, 100)
    await till(client, club, member["id"], "shared-key")
    hold = await reserve(client, club, member["id"], 10, key="shared-key")
    assert_refused(hold, 409, "idempotency_conflict")
    assert (await balance(client, club, member["id"]))["reserved"] == 0


async def test_a_purchase_without_an_idempotency_key_is_refused(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/purchases",
        json=sale_body(member["id"], 250_000, external_id="F-500"),
        headers=club.headers("cashier"),
    )
    assert_refused(response, 400, "idempotency_key_required")
    assert (await balance(client, club, member["id"]))["available"] == 0


async def test_refunds_and_reservations_need_an_idempotency_key_too(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await member_with(client, club, 100)
    bought = await till(client, club, member["id"], "k")
    no_key_refund = await client.post(
        f"/api/v1/purchases/{bought.json()['id']}/refunds", json={}, headers=club.headers()
    )
    no_key_hold = await client.post(
        "/api/v1/redemptions",
        json={"member": {"id": member["id"]}, "points": 10, "branch": "main"},
        headers=club.headers("cashier"),
    )
    for response in (no_key_refund, no_key_hold):
        assert_refused(response, 400, "idempotency_key_required")
    after = await balance(client, club, member["id"])
    assert (after["available"], after["reserved"]) == (125, 0)


async def test_a_failed_request_can_be_retried_with_the_same_key(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    refused = await till(client, club, member["id"], "till-1:0003", redeem=50)
    assert error_code(refused) == "insufficient_points"
    await give_points(client, club, member["id"], 50)
    accepted = await till(client, club, member["id"], "till-1:0003", redeem=50)
    assert accepted.status_code == 201, accepted.text
    assert "Idempotent-Replayed" not in accepted.headers


async def test_the_same_key_sent_ten_times_at_once_has_one_effect(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    responses = await asyncio.gather(
        *(till(client, club, member["id"], "till-9:burst", total=500_000, redeem=40) for _ in range(10))
    )
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 9
    after = await balance(client, club, member["id"])
    assert after["available"] == 100 - 40 + 46
    assert (after["lifetime_redeemed"], after["lifetime_earned"]) == (40, 46)
    assert await count(db, Purchase) == 1
    assert await count(db, Transfer) == 3  # the setup adjustment, one redeem, one earn
    assert await ledger_problems(db) == []


async def test_keys_of_two_clubs_do_not_collide(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    from support import make_club

    other = await make_club(db, "beta")
    mine = await enrol(client, club)
    theirs = await enrol(client, other)
    first = await till(client, club, mine["id"], "pos-1")
    second = await till(client, other, theirs["id"], "pos-1", total=100_000)
    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second.headers
    assert (await balance(client, other, theirs["id"]))["available"] == 10


async def branch_till(db: Database, club: Club, branch: str) -> dict[str, str]:
    """The headers of a till at one branch (a branch-scoped cashier key)."""
    return {"Authorization": f"Bearer {await add_key(db, club, f'till {branch}', 'cashier', branch)}"}


async def test_two_branches_tills_that_make_the_same_key_each_record_their_own_sale(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    body = {"member": {"id": member["id"]}, "external_id": "1001", "total_rials": 250_000}
    till_a, till_b = await branch_till(db, club, "main"), await branch_till(db, club, "online")
    first = await client.post("/api/v1/purchases", json=body, headers={**till_a, "Idempotency-Key": "0001"})
    other = await client.post("/api/v1/purchases", json=body, headers={**till_b, "Idempotency-Key": "0001"})
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert other.json()["id"] != first.json()["id"]
    assert await count(db, Purchase) == 2
    assert (await balance(client, club, member["id"]))["available"] == 50
    # Each till's own retry still replays its own sale.
    again = await client.post("/api/v1/purchases", json=body, headers={**till_b, "Idempotency-Key": "0001"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == other.json()
    assert await count(db, Purchase) == 2
