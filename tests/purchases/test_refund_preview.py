"""A refund can be previewed — money back by where it goes, points taken back and given back, stamps —
by the refund's own arithmetic, and the preview changes nothing."""

from __future__ import annotations

import httpx

from bashgah.core.db import Database
from scenarios import first_sale
from support import Club, balance, error_code, ledger_problems, refund


async def _preview(client: httpx.AsyncClient, club: Club, purchase_id: int, **body: object) -> httpx.Response:
    return await client.post(
        f"/api/v1/purchases/{purchase_id}/refunds/preview", json=body, headers=club.headers()
    )


async def test_a_refund_preview_shows_what_the_refund_then_does_and_changes_nothing(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member, sale = await first_sale(client, club, 1_000_000, redeem_points=100, points=200)
    before = await balance(client, club, member["id"])

    seen = await _preview(client, club, sale["id"], amount_rials=400_000)
    assert seen.status_code == 200, seen.text
    plan = seen.json()
    assert (plan["amount_rials"], plan["cash_refund_rials"]) == (400_000, 360_000)
    assert (plan["points_reversed"], plan["points_returned"]) == (36, 40)
    assert await balance(client, club, member["id"]) == before  # nothing moved
    fetched = await client.get(f"/api/v1/purchases/{sale['id']}", headers=club.headers())
    assert fetched.json()["refunded_rials"] == 0

    done = (await refund(client, club, sale["id"], amount_rials=400_000)).json()
    for figure in ("amount_rials", "cash_refund_rials", "points_reversed", "points_returned", "balance"):
        assert done[figure] == plan[figure], figure
    assert await ledger_problems(db) == []


async def test_a_refund_preview_of_nothing_named_is_the_whole_rest(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, sale = await first_sale(client, club, 1_000_000)
    await refund(client, club, sale["id"], amount_rials=300_000)
    plan = (await _preview(client, club, sale["id"])).json()
    assert (plan["amount_rials"], plan["points_reversed"]) == (700_000, 70)


async def test_a_refund_preview_refuses_what_the_refund_would_refuse(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, sale = await first_sale(client, club, 1_000_000)
    refused = await _preview(client, club, sale["id"], amount_rials=2_000_000)
    assert refused.status_code == 422 and error_code(refused) == "invalid_input"
    assert (await balance(client, club, member["id"]))["total"] == 100
