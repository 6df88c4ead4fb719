"""A coupon is never used beyond its limits, even when many tills try it at the same instant."""

from __future__ import annotations

import asyncio

import httpx
from coupon_helpers import codes_of

from bashgah.core.db import Database
from scenarios import new_batch
from support import Club, enrol, error_code, ledger_problems, sale_body


async def _rush(
    client: httpx.AsyncClient, club: Club, members: list[int], code: str, tag: str
) -> list[httpx.Response]:
    async def till(i: int) -> httpx.Response:
        return await client.post(
            "/api/v1/purchases",
            json=sale_body(members[i], 1_000_000, external_id=f"{tag}-{i}", coupon=code),
            headers=club.headers("cashier", **{"Idempotency-Key": f"{tag}-{i}"}),
        )

    return list(await asyncio.gather(*(till(i) for i in range(len(members)))))


async def test_a_single_use_code_tried_by_20_tills_at_once_is_used_exactly_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    batch = await new_batch(client, club, discount_rials=250_000, count=1)
    [(code, _)] = await codes_of(client, club, batch["id"])
    members = [(await enrol(client, club))["id"] for _ in range(20)]

    responses = await _rush(client, club, members, code, "single")

    won = [r for r in responses if r.status_code == 201]
    assert len(won) == 1, [r.text for r in responses]
    assert won[0].json()["coupon_discount_rials"] == 250_000
    lost = [r for r in responses if r.status_code != 201]
    assert {(r.status_code, error_code(r)) for r in lost} == {(409, "coupon_used_up")}
    assert await codes_of(client, club, batch["id"]) == [(code, 1)]
    assert await ledger_problems(db) == []


async def test_one_member_at_20_tills_with_a_once_per_member_code_gets_it_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await new_batch(client, club, code="ONCE", max_uses_per_member=1)
    member = (await enrol(client, club))["id"]

    responses = await _rush(client, club, [member] * 20, "ONCE", "member")

    assert sum(r.status_code == 201 for r in responses) == 1
    assert {error_code(r) for r in responses if r.status_code != 201} == {"coupon_member_limit"}
    assert await ledger_problems(db) == []


async def test_a_universal_code_for_the_first_5_customers_serves_exactly_5_of_20_tills(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    batch = await new_batch(client, club, code="FIRST5", max_uses=5)
    members = [(await enrol(client, club))["id"] for _ in range(20)]

    responses = await _rush(client, club, members, "FIRST5", "five")

    assert sum(r.status_code == 201 for r in responses) == 5
    assert {error_code(r) for r in responses if r.status_code != 201} == {"coupon_used_up"}
    read = await client.get(f"/api/v1/coupons/batches/{batch['id']}", headers=club.headers())
    assert read.json()["uses"] == 5
    assert await ledger_problems(db) == []
