"""A reward code on a sale: the API makes the same sale the till makes, the purchase records the gross
total, the reward's discount and the reward used, points are earned on what was paid, and a refund pays
back only what was paid (the reward stays used)."""

from __future__ import annotations

from typing import Any

import httpx

from bashgah.core.db import Database
from scenarios import new_reward, ok
from support import Club, balance, bought, enrol, error_code, give_points, ledger_problems, purchase, refund


async def _member_with_reward(
    client: httpx.AsyncClient, club: Club, points: int = 100, **reward: object
) -> tuple[dict[str, Any], str]:
    """A new member given ``points`` spends 100 of them on a reward (by default 50,000 rials off):
    (the member, the reward's code)."""
    member = await enrol(client, club)
    await give_points(client, club, member["id"], points)
    made = await new_reward(client, club, **{"name_fa": "تخفیف", "name_en": "50,000 rials off",
            "kind": "discount_amount", "cost_points": 100, "discount_rials": 50_000, **reward})  # fmt: skip
    redeemed = await ok(client, club, f"/api/v1/members/{member['id']}/rewards", {"reward_id": made["id"]},
                        role="owner", **{"Idempotency-Key": f"reward-{member['id']}-{made['id']}"})  # fmt: skip
    return member, str(redeemed["code"])


async def test_a_sale_through_the_api_takes_a_reward_code_off_and_records_it_on_the_purchase(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member, code = await _member_with_reward(client, club)

    sale = await bought(client, club, member["id"], 300_000, reward=code.lower())
    assert sale["total_rials"] == 300_000
    assert (sale["reward_code"], sale["reward_discount_rials"]) == (code, 50_000)
    assert sale["paid_rials"] == 250_000
    assert sale["points_earned"] == 25  # on what was paid, not on the total
    fetched = (await client.get(f"/api/v1/purchases/{sale['id']}", headers=club.headers())).json()
    assert (fetched["total_rials"], fetched["reward_discount_rials"], fetched["paid_rials"]) == (
        300_000,
        50_000,
        250_000,
    )
    assert fetched["reward_code"] == code and fetched["reward_name"] == "تخفیف"
    mine = await client.get(f"/api/v1/members/{member['id']}/rewards", headers=club.headers())
    assert mine.json()["items"][0]["status"] == "used"
    assert await ledger_problems(db) == []


async def test_a_reward_code_used_once_is_refused_the_second_time_and_nothing_is_recorded(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, code = await _member_with_reward(client, club)
    await bought(client, club, member["id"], 300_000, reward=code)
    again = await purchase(client, club, member["id"], 300_000, reward=code)
    assert again.status_code == 409 and error_code(again) == "reward_instance_closed"
    assert (await balance(client, club, member["id"]))["lifetime_earned"] == 25  # one sale earned


async def test_another_members_reward_code_is_unknown_to_the_sale(
    client: httpx.AsyncClient, club: Club
) -> None:
    owner, code = await _member_with_reward(client, club)
    other = await enrol(client, club)
    refused = await purchase(client, club, other["id"], 300_000, reward=code)
    assert refused.status_code == 404 and error_code(refused) == "reward_instance_unknown"
    mine = await client.get(f"/api/v1/members/{owner['id']}/rewards", headers=club.headers())
    assert mine.json()["items"][0]["status"] == "issued"


async def test_examine_shows_the_reward_coupon_and_points_as_the_sale_will_take_them(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, code = await _member_with_reward(client, club, points=150)
    body = {"member": {"id": member["id"]}, "branch": "main", "external_id": "X-1", "total_rials": 300_000,
            "reward": code, "redeem_points": 50}  # fmt: skip
    examined = (await client.post("/api/v1/purchases/examine", json=body, headers=club.headers())).json()
    assert (
        examined["total_rials"],
        examined["reward_discount_rials"],
        examined["points_discount_rials"],
    ) == (
        300_000,
        50_000,
        50_000,
    )
    assert examined["due_rials"] == 200_000 and examined["points_total"] == 20
    mine = await client.get(f"/api/v1/members/{member['id']}/rewards", headers=club.headers())
    assert mine.json()["items"][0]["status"] == "issued"  # a dry run uses nothing


async def test_refunding_a_sale_with_a_reward_pays_back_only_what_was_paid_and_the_reward_stays_used(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member, code = await _member_with_reward(client, club)
    sale = await bought(client, club, member["id"], 300_000, reward=code)
    half = await refund(client, club, sale["id"], amount_rials=150_000)
    assert half.status_code == 201, half.text
    # Half the basket: half of what was paid (125,000), not half of the total; half the points.
    assert (half.json()["cash_refund_rials"], half.json()["points_reversed"]) == (125_000, 12)
    rest = await refund(client, club, sale["id"])
    assert rest.json()["cash_refund_rials"] == 125_000  # the parts add up to what was paid
    assert rest.json()["points_reversed"] == 13
    mine = await client.get(f"/api/v1/members/{member['id']}/rewards", headers=club.headers())
    assert mine.json()["items"][0]["status"] == "used"
    assert await ledger_problems(db) == []
