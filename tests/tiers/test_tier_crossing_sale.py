"""The sale that lifts a member over a tier threshold earns at the new level — on the receipt that says
"you are now silver" — and the till's preview (``examine``) says the same before the sale is made."""

from __future__ import annotations

from typing import Any

import httpx
from test_tiers import member_on_ladder, tier_of

from bashgah.core.db import Database
from support import Club, balance, bought, ledger_problems, refund


async def examine(client: httpx.AsyncClient, club: Club, member_id: int, rials: int) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/purchases/examine",
        json={"member": {"id": member_id}, "branch": "main", "external_id": "X-1", "total_rials": rials},
        headers=club.headers("cashier"),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_sale_that_makes_a_member_silver_earns_as_silver_and_the_preview_says_so(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    await bought(client, club, member["id"], 9_000_000)  # bronze: 900 points

    preview = await examine(client, club, member["id"], 1_000_000)
    sale = await bought(client, club, member["id"], 1_000_000)

    assert sale["tier_upgrade"] == "silver"
    assert sale["points_earned"] == preview["points_base"] == 125  # 100 points × 1.25
    assert (await tier_of(client, club, member["id"]))["level"]["code"] == "silver"
    assert (await balance(client, club, member["id"]))["total"] == 900 + 125


async def test_a_sale_short_of_the_threshold_earns_at_the_current_level(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    await bought(client, club, member["id"], 9_000_000)

    preview = await examine(client, club, member["id"], 999_999)
    sale = await bought(client, club, member["id"], 999_999)

    assert sale["tier_upgrade"] is None
    assert sale["points_earned"] == preview["points_base"] == 99


async def test_a_sale_that_jumps_two_levels_earns_at_the_higher_one(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    assert (await examine(client, club, member["id"], 60_000_000))["points_base"] == 9_000  # × 1.5
    sale = await bought(client, club, member["id"], 60_000_000)
    assert (sale["tier_upgrade"], sale["points_earned"]) == ("gold", 9_000)


async def test_returning_the_crossing_sale_takes_back_exactly_what_it_gave(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_on_ladder(client, club)
    await bought(client, club, member["id"], 9_000_000)
    sale = await bought(client, club, member["id"], 1_000_000)

    returned = await refund(client, club, sale["id"])

    assert returned.status_code == 201, returned.text
    assert returned.json()["points_reversed"] == 125
    assert (await balance(client, club, member["id"]))["total"] == 900
    # The level is kept until its review, like any level reached (README, "Tiers").
    assert (await tier_of(client, club, member["id"]))["level"]["code"] == "silver"
    assert await ledger_problems(db) == []
