"""Returns never renew points, and returned items of a discounted basket are refunded at their share."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from bashgah.core.db import Database
from bashgah.ledger.verify import verify
from bashgah.models import PointLot, utcnow
from scenarios import member_with, returned
from support import Club, balance, purchase


async def test_points_spent_then_given_back_by_a_return_keep_their_old_expiry_date(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 300)
    async with db.transaction() as session:  # these points were earned long ago and expire soon
        soon = utcnow().replace(microsecond=0).replace(year=utcnow().year + 1, month=1, day=1)
        await session.execute(update(PointLot).values(expires_at=soon))
    before = await balance(client, club, member["id"])

    sale = await purchase(client, club, member["id"], 1_000_000, redeem=300)
    assert sale.status_code == 201, sale.text
    back = await returned(client, club, sale.json()["id"])
    assert back["points_returned"] == 300
    after = await balance(client, club, member["id"])
    assert after["available"] == 300
    assert after["next_expiry_at"] == before["next_expiry_at"]
    async with db.transaction() as session:
        report = await verify(session)
    assert report.ok, report.problems


async def test_items_of_a_discounted_basket_are_refunded_at_their_share_and_the_last_one_closes_it(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    # Listed at 1,200,000 but the basket cost 900,000 after the shop's own discount.
    items = [
        {"sku": "tea", "quantity": 2, "unit_price_rials": 300_000},
        {"sku": "cup", "quantity": 1, "unit_price_rials": 600_000},
    ]
    sale = await purchase(client, club, member["id"], 900_000, items=items)
    assert sale.status_code == 201, sale.text
    sale_id = sale.json()["id"]

    cups = await returned(client, club, sale_id, key="cup", items=[{"sku": "cup", "quantity": 1}])
    assert cups["amount_rials"] == 450_000
    teas = await returned(client, club, sale_id, key="tea", items=[{"sku": "tea", "quantity": 2}])
    assert teas["amount_rials"] == 450_000
    assert (await balance(client, club, member["id"]))["total"] == 0


async def test_a_return_takes_back_points_held_for_a_redemption_so_cancelling_cannot_keep_them(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    sale = await purchase(client, club, member["id"], 5_000_000)  # earns 500 points
    assert sale.json()["points_earned"] == 500
    hold = await client.post(
        "/api/v1/redemptions",
        json={"member": {"id": member["id"]}, "points": 400, "branch": "main"},
        headers=club.headers("cashier", **{"Idempotency-Key": "hold-400"}),
    )
    assert hold.status_code == 201, hold.text

    back = await returned(client, club, sale.json()["id"])
    assert back["points_reversed"] == 500 and back["points_unrecovered"] == 0
    held = (await client.get(f"/api/v1/redemptions/{hold.json()['id']}", headers=club.headers())).json()
    assert held["status"] == "cancelled" and held["points"] == 0

    cancel = await client.post(
        f"/api/v1/redemptions/{hold.json()['id']}/cancel", headers=club.headers("cashier")
    )
    assert cancel.status_code == 409
    after = await balance(client, club, member["id"])
    assert after["total"] == 0 and after["available"] == 0 and after["reserved"] == 0
    async with db.transaction() as session:
        report = await verify(session)
    assert report.ok, report.problems
