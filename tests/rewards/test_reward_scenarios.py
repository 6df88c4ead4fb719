"""The rewards catalogue as a shop owner describes it: members spend points, the till uses the reward."""

from __future__ import annotations

import httpx
from reward_helpers import LADDER, available, redeem

from bashgah.core.db import Database
from bashgah.coupons.rules import ALPHABET
from scenarios import member_with, new_reward
from support import Club, enrol, error_code, give_points, ledger_problems

CINEMA = {
    "name_fa": "بلیت سینما",
    "name_en": "Cinema ticket",
    "kind": "partner_voucher",
    "cost_points": 2_000,
    "tiers": ["gold"],
}


async def _gold(client: httpx.AsyncClient, club: Club) -> int:
    member = (await enrol(client, club))["id"]
    response = await client.post(
        f"/api/v1/members/{member}/tier",
        json={"level": "gold", "reason": "test"},
        headers=club.headers("manager"),
    )
    assert response.status_code == 200, response.text
    return int(member)


async def _ladder(client: httpx.AsyncClient, club: Club) -> None:
    response = await client.put("/api/v1/tiers", json=LADDER, headers=club.headers("manager"))
    assert response.status_code == 200, response.text


async def test_a_cinema_voucher_from_the_partner_pool_for_2000_points_gold_members_only_50_in_stock(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await _ladder(client, club)
    reward = await new_reward(client, club, **CINEMA)
    assert reward["stock"] == 0
    pool = [f"CINEMA-{i:03d}" for i in range(50)]
    upload = await client.post(
        f"/api/v1/rewards/{reward['id']}/vouchers",
        json={"csv": "code\n" + "\n".join(pool[:30]), "codes": pool[25:]},
        headers=club.headers("manager"),
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["stock"] == 50

    sara = await _gold(client, club)
    await give_points(client, club, sara, 5_000)
    offered = await client.get(f"/api/v1/rewards?member_id={sara}", headers=club.headers())
    assert [r["id"] for r in offered.json()["items"]] == [reward["id"]]

    got = await redeem(client, club, sara, reward["id"])
    assert got.status_code == 201, got.text
    instance = got.json()
    assert instance["status"] == "issued" and instance["partner_code"] in pool
    assert instance["points"] == 2_000 and instance["balance"]["available"] == 3_000
    assert len(instance["code"]) == 8 and set(instance["code"]) <= set(ALPHABET)
    assert (await client.get(f"/api/v1/rewards/{reward['id']}", headers=club.headers())).json()["stock"] == 49

    bronze = (await member_with(client, club, 5_000))["id"]
    refused = await redeem(client, club, bronze, reward["id"])
    assert refused.status_code == 409 and error_code(refused) == "reward_tier_restricted"
    assert (await client.get(f"/api/v1/rewards?member_id={bronze}", headers=club.headers())).json()[
        "items"
    ] == []
    assert await available(client, club, bronze) == 5_000

    mine = await client.get(f"/api/v1/members/{sara}/rewards", headers=club.headers())
    assert [(i["code"], i["status"]) for i in mine.json()["items"]] == [(instance["code"], "issued")]
    assert await ledger_problems(db) == []


async def test_not_enough_points_is_409_insufficient_points_and_nothing_changes(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, kind="physical_gift", cost_points=1_000, stock=3, sku="MUG")
    member = (await member_with(client, club, 999))["id"]

    response = await redeem(client, club, member, reward["id"])

    assert response.status_code == 409 and error_code(response) == "insufficient_points"
    assert await available(client, club, member) == 999
    assert (await client.get(f"/api/v1/rewards/{reward['id']}", headers=club.headers())).json()["stock"] == 3
    assert (await client.get(f"/api/v1/members/{member}/rewards", headers=club.headers())).json()[
        "items"
    ] == []
    assert await ledger_problems(db) == []


async def test_a_free_coffee_once_per_member(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    reward = await new_reward(
        client, club, kind="free_product", sku="COFFEE", cost_points=300, per_member_limit=1
    )
    member = (await member_with(client, club, 1_000))["id"]

    assert (await redeem(client, club, member, reward["id"])).status_code == 201
    again = await redeem(client, club, member, reward["id"])

    assert again.status_code == 409 and error_code(again) == "reward_member_limit"
    assert await available(client, club, member) == 700
    assert await ledger_problems(db) == []


async def test_the_till_uses_a_reward_once(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    reward = await new_reward(
        client,
        club,
        kind="discount_percent",
        discount_percent=20,
        max_discount_rials=500_000,
        cost_points=500,
    )
    member = (await member_with(client, club, 500))["id"]
    code = (await redeem(client, club, member, reward["id"])).json()["code"]

    used = await client.post(f"/api/v1/reward-instances/{code.lower()}/use", headers=club.headers("cashier"))
    assert used.status_code == 200, used.text
    assert used.json()["status"] == "used" and used.json()["used_at"] is not None
    twice = await client.post(f"/api/v1/reward-instances/{code}/use", headers=club.headers("cashier"))
    assert twice.status_code == 409 and error_code(twice) == "reward_instance_closed"
    cancel = await client.post(f"/api/v1/reward-instances/{code}/cancel", headers=club.headers("manager"))
    assert cancel.status_code == 409
    unknown = await client.post("/api/v1/reward-instances/NOPE4444/use", headers=club.headers("cashier"))
    assert unknown.status_code == 404
    assert await ledger_problems(db) == []


async def test_cancel_gives_the_points_and_the_stock_back(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, kind="physical_gift", sku="BAG", cost_points=800, stock=1)
    member = (await member_with(client, club, 1_000))["id"]
    code = (await redeem(client, club, member, reward["id"])).json()["code"]
    out = await redeem(client, club, member, reward["id"])
    assert out.status_code == 409 and error_code(out) == "reward_out_of_stock"

    cashier = await client.post(f"/api/v1/reward-instances/{code}/cancel", headers=club.headers("cashier"))
    assert cashier.status_code == 403
    cancelled = await client.post(f"/api/v1/reward-instances/{code}/cancel", headers=club.headers("manager"))

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["balance"]["available"] == 1_000
    assert await available(client, club, member) == 1_000
    assert (await client.get(f"/api/v1/rewards/{reward['id']}", headers=club.headers())).json()["stock"] == 1
    used = await client.post(f"/api/v1/reward-instances/{code}/use", headers=club.headers("cashier"))
    assert used.status_code == 409
    assert await ledger_problems(db) == []


async def test_only_managers_edit_the_catalogue_and_retired_rewards_are_not_redeemed(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    body = {"name_fa": "ارسال رایگان", "name_en": "Free shipping", "kind": "free_shipping", "cost_points": 50}
    cashier = await client.post("/api/v1/rewards", json=body, headers=club.headers("cashier"))
    assert cashier.status_code == 403
    reward = await new_reward(client, club, **body)
    changed = await client.patch(
        f"/api/v1/rewards/{reward['id']}", json={"cost_points": 60}, headers=club.headers("manager")
    )
    assert changed.status_code == 200 and changed.json()["cost_points"] == 60
    retired = await client.delete(f"/api/v1/rewards/{reward['id']}", headers=club.headers("owner"))
    assert retired.status_code == 204
    shown = await client.get(f"/api/v1/rewards/{reward['id']}", headers=club.headers("owner"))
    assert shown.json()["active"] is False
    member = (await member_with(client, club, 100))["id"]
    response = await redeem(client, club, member, reward["id"])
    assert response.status_code == 409 and error_code(response) == "reward_unavailable"
    bad = await client.post(
        "/api/v1/rewards", json={**body, "kind": "wallet_credit"}, headers=club.headers("manager")
    )
    assert bad.status_code == 422


async def test_a_redemption_needs_an_idempotency_key_and_a_resent_one_replays(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    reward = await new_reward(client, club, cost_points=100)
    member = (await member_with(client, club, 300))["id"]
    bare = await client.post(
        f"/api/v1/members/{member}/rewards", json={"reward_id": reward["id"]}, headers=club.headers()
    )
    assert bare.status_code == 400
    first = await redeem(client, club, member, reward["id"], key="once")
    again = await redeem(client, club, member, reward["id"], key="once")
    assert first.status_code == again.status_code == 201 and first.json()["code"] == again.json()["code"]
    assert await available(client, club, member) == 200
    assert await ledger_problems(db) == []
