"""Stock is never oversold and a reward is used once, however many tills try at the same instant."""

from __future__ import annotations

import asyncio

import httpx
from reward_helpers import redeem

from bashgah.core.db import Database
from scenarios import member_with, new_reward
from support import Club, enrol, error_code, give_points, ledger_problems


async def test_5_gifts_redeemed_by_20_members_at_once_go_to_exactly_5(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, kind="physical_gift", sku="WATCH", cost_points=1_000, stock=5)
    members = [(await enrol(client, club))["id"] for _ in range(20)]
    for m in members:
        await give_points(client, club, m, 1_000)

    responses = await asyncio.gather(*(redeem(client, club, m, reward["id"]) for m in members))

    assert sum(r.status_code == 201 for r in responses) == 5, [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code != 201} == {"reward_out_of_stock"}
    assert (await client.get(f"/api/v1/rewards/{reward['id']}", headers=club.headers())).json()["stock"] == 0
    assert await ledger_problems(db) == []


async def test_a_partner_pool_of_3_codes_hands_each_out_once_to_20_members_at_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, kind="partner_voucher", cost_points=10)
    upload = await client.post(
        f"/api/v1/rewards/{reward['id']}/vouchers", json={"codes": ["A1", "B2", "C3"]}, headers=club.headers()
    )
    assert upload.status_code == 200, upload.text
    members = [(await enrol(client, club))["id"] for _ in range(20)]
    for m in members:
        await give_points(client, club, m, 10)

    responses = await asyncio.gather(*(redeem(client, club, m, reward["id"]) for m in members))

    won = [r.json()["partner_code"] for r in responses if r.status_code == 201]
    assert sorted(won) == ["A1", "B2", "C3"]
    assert await ledger_problems(db) == []


async def test_one_member_at_20_tills_with_a_once_per_member_reward_gets_it_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, cost_points=10, per_member_limit=1)
    member = (await member_with(client, club, 1_000))["id"]

    responses = await asyncio.gather(*(redeem(client, club, member, reward["id"]) for _ in range(20)))

    assert sum(r.status_code == 201 for r in responses) == 1
    assert {error_code(r) for r in responses if r.status_code != 201} == {"reward_member_limit"}
    assert await ledger_problems(db) == []


async def test_a_reward_used_at_20_tills_at_once_is_used_exactly_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, cost_points=10)
    member = (await member_with(client, club, 10))["id"]
    code = (await redeem(client, club, member, reward["id"])).json()["code"]

    responses = await asyncio.gather(
        *(
            client.post(f"/api/v1/reward-instances/{code}/use", headers=club.headers("cashier"))
            for _ in range(20)
        )
    )

    assert sum(r.status_code == 200 for r in responses) == 1
    assert {error_code(r) for r in responses if r.status_code != 200} == {"reward_instance_closed"}
