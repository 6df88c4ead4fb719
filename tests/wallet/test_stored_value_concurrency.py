"""Stored value is never spent twice: many tills at once take exactly what there is."""

from __future__ import annotations

import asyncio

import httpx
from wallet_helpers import card, issue_cards, topped_up, wallet_of

from bashgah.core.db import Database
from support import Club, enrol, error_code, ledger_problems, sale_body


async def _rush(
    client: httpx.AsyncClient, club: Club, members: list[int], tag: str, **pay: object
) -> list[httpx.Response]:
    async def till(i: int) -> httpx.Response:
        return await client.post(
            "/api/v1/purchases",
            json=sale_body(members[i], 30_000, external_id=f"{tag}-{i}", **pay),
            headers=club.headers("cashier", **{"Idempotency-Key": f"{tag}-{i}"}),
        )

    return list(await asyncio.gather(*(till(i) for i in range(len(members)))))


async def test_a_gift_card_of_100000_spent_by_20_tills_at_once_for_30000_each_serves_exactly_3(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    [issued] = await issue_cards(client, club, value_rials=100_000)
    members = [(await enrol(client, club))["id"] for _ in range(20)]

    responses = await _rush(client, club, members, "card", gift_card=issued["code"], gift_card_rials=30_000)

    assert sum(r.status_code == 201 for r in responses) == 3, [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code != 201} == {"insufficient_gift_card"}
    assert (await card(client, club, issued["code"]))["balance_rials"] == 10_000
    assert await ledger_problems(db) == []


async def test_one_wallet_of_100000_spent_by_20_tills_at_once_for_30000_each_serves_exactly_3(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = (await enrol(client, club))["id"]
    await topped_up(client, club, member, 100_000)

    responses = await _rush(client, club, [member] * 20, "wallet", wallet_rials=30_000)

    assert sum(r.status_code == 201 for r in responses) == 3, [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code != 201} == {"insufficient_wallet"}
    assert (await wallet_of(client, club, member))["balance"]["total_rials"] == 10_000
    assert await ledger_problems(db) == []
