"""Recording sales at the till: points per the programme, pending points, points as a discount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from bashgah.core.db import Database
from bashgah.models import PointLot
from scenarios import first_sale, member_with
from support import (
    Club,
    add_key,
    assert_refused,
    balance,
    bought,
    enrol,
    error_code,
    execute,
    purchase,
    sale_body,
    set_program,
)


@pytest.mark.parametrize(
    ("rounding", "total", "points"),
    [
        ("floor", 99_999, 9),
        ("round", 99_999, 10),
        ("ceil", 99_999, 10),
        ("floor", 95_000, 9),
        ("round", 95_000, 10),
        ("round", 94_999, 9),
        ("ceil", 90_001, 10),
        ("floor", 9_999, 0),
    ],
)
async def test_points_per_10000_rials_with_the_programmes_rounding(
    client: httpx.AsyncClient, club: Club, rounding: str, total: int, points: int
) -> None:
    await set_program(client, club, earn_points=1, earn_per_rials=10_000, rounding=rounding, pending_days=0)
    member, sale = await first_sale(client, club, total)
    assert sale["points_earned"] == points
    assert sale["balance"]["available"] == points
    assert (await balance(client, club, member["id"]))["lifetime_earned"] == points


async def test_a_different_rate_applies_to_the_next_purchase(client: httpx.AsyncClient, club: Club) -> None:
    member, first = await first_sale(client, club, 1_000_000)
    await set_program(client, club, earn_points=3, earn_per_rials=100_000)
    second = await bought(client, club, member["id"], 1_000_000)
    assert (first["points_earned"], second["points_earned"]) == (100, 30)
    assert second["balance"]["available"] == 130


async def test_the_response_says_what_was_earned_and_the_new_balance(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, sale = await first_sale(client, club, 250_000, external_id="F-1001", points=25)
    assert sale["external_id"] == "F-1001"
    assert sale["branch"] == "main"
    assert sale["member_id"] == member["id"]
    assert (sale["total_rials"], sale["discount_rials"], sale["paid_rials"]) == (250_000, 0, 250_000)
    assert (sale["points_earned"], sale["points_redeemed"]) == (25, 0)
    assert sale["balance"]["available"] == 50
    assert sale["balance"]["total"] == 50
    fetched = await client.get(f"/api/v1/purchases/{sale['id']}", headers=club.headers("cashier"))
    assert fetched.status_code == 200
    skip = ("balance", "tier_upgrade", "stamps", "gifts", "wallet")
    assert {k: v for k, v in sale.items() if k not in skip} == fetched.json()


async def test_pending_points_are_not_spendable_until_the_return_window_ends(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, pending_days=7)
    member, sale = await first_sale(client, club, 500_000)
    assert sale["points_earned"] == 50
    available_at = datetime.fromisoformat(sale["points_available_at"])
    assert timedelta(days=6, hours=23) < available_at - datetime.now(UTC) <= timedelta(days=7)
    assert sale["balance"]["pending"] == 50
    assert sale["balance"]["available"] == 0

    too_early = await purchase(client, club, member["id"], 100_000, redeem=10)
    assert_refused(too_early, 409, "insufficient_points")

    # Seven days later (moved in the database rather than on the clock):
    await execute(db, update(PointLot).values(available_at=datetime.now(UTC) - timedelta(seconds=1)))
    after = await balance(client, club, member["id"])
    assert (after["available"], after["pending"]) == (50, 0)
    spent = await purchase(client, club, member["id"], 100_000, redeem=10)
    assert spent.status_code == 201, spent.text


async def test_with_no_pending_period_points_are_available_at_once(
    client: httpx.AsyncClient, club: Club
) -> None:
    await set_program(client, club, pending_days=0)
    member, sale = await first_sale(client, club, 300_000)
    assert (sale["balance"]["available"], sale["balance"]["pending"]) == (30, 0)
    assert datetime.fromisoformat(sale["points_available_at"]) <= datetime.now(UTC)


async def test_points_spent_in_the_purchase_are_a_discount_and_earning_is_on_the_paid_amount(
    client: httpx.AsyncClient, club: Club
) -> None:
    await set_program(client, club, point_value_rials=1_000)
    member, sale = await first_sale(client, club, 500_000, redeem_points=50, points=100)
    assert sale["points_redeemed"] == 50
    assert sale["discount_rials"] == 50_000
    assert sale["paid_rials"] == 450_000
    assert sale["points_earned"] == 45
    assert sale["balance"]["available"] == 100 - 50 + 45
    summary = await balance(client, club, member["id"])
    assert (summary["lifetime_redeemed"], summary["lifetime_earned"]) == (50, 45)


async def test_redeeming_more_than_the_purchase_total_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await member_with(client, club, 1_000)
    response = await purchase(client, club, member["id"], 500_000, redeem=501, external_id="F-1")
    assert_refused(response, 422, "invalid_input")
    assert (await balance(client, club, member["id"]))["available"] == 1_000
    # The receipt was not recorded: the till can send it again correctly.
    again = await purchase(client, club, member["id"], 500_000, redeem=500, external_id="F-1")
    assert again.status_code == 201, again.text
    assert again.json()["paid_rials"] == 0
    assert again.json()["points_earned"] == 0


async def test_redeeming_more_points_than_the_member_has_is_refused_and_records_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await member_with(client, club, 30)
    response = await purchase(client, club, member["id"], 500_000, redeem=31, external_id="F-2")
    assert_refused(response, 409, "insufficient_points")
    after = await balance(client, club, member["id"])
    assert (after["available"], after["lifetime_earned"]) == (30, 0)
    again = await purchase(client, club, member["id"], 500_000, redeem=30, external_id="F-2")
    assert again.status_code == 201


async def test_the_same_receipt_number_twice_on_one_branch_is_a_conflict(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    first = await purchase(client, club, member["id"], 100_000, external_id="F-77")
    assert first.status_code == 201
    second = await purchase(client, club, member["id"], 100_000, external_id="F-77")
    assert_refused(second, 409, "duplicate_receipt")
    other_member = await enrol(client, club)
    third = await purchase(client, club, other_member["id"], 100_000, external_id="F-77")
    assert error_code(third) == "duplicate_receipt"
    assert (await balance(client, club, member["id"]))["available"] == 10
    assert (await balance(client, club, other_member["id"]))["available"] == 0


async def test_the_same_receipt_number_on_another_branch_is_a_different_sale(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    store = await purchase(client, club, member["id"], 100_000, external_id="F-77", branch="main")
    online = await purchase(client, club, member["id"], 200_000, external_id="F-77", branch="online")
    assert (store.status_code, online.status_code) == (201, 201)
    assert online.json()["branch"] == "online"
    assert online.json()["balance"]["available"] == 30


@pytest.mark.parametrize(
    "how", ["id", "mobile local", "mobile international", "mobile persian", "old name phone", "card", "qr"]
)
async def test_the_member_can_be_named_by_id_mobile_or_card(
    client: httpx.AsyncClient, club: Club, how: str
) -> None:
    member = await enrol(client, club, "09121234567")
    ref = {
        "id": {"id": member["id"]},
        "mobile local": {"mobile": "09121234567"},
        "mobile international": {"mobile": "+98 912 123 4567"},
        "mobile persian": {"mobile": "۰۹۱۲۱۲۳۴۵۶۷"},
        # Read until 0.3 (CHANGELOG).
        "old name phone": {"phone": "09121234567"},
        "card": {"card": member["card_number"]},
        "qr": {"card": member["qr_payload"]},
    }[how]
    response = await client.post(
        "/api/v1/purchases",
        json={"member": ref, "branch": "main", "external_id": "F-1", "total_rials": 120_000},
        headers=club.headers("cashier", **{"Idempotency-Key": "k1"}),
    )
    assert response.status_code == 201, response.text
    assert response.json()["member_id"] == member["id"]


async def test_an_unknown_member_or_branch_is_404(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    for ref, branch in (
        ({"mobile": "09350000000"}, "main"),
        ({"id": 999_999}, "main"),
        ({"id": member["id"]}, "nope"),
    ):
        response = await client.post(
            "/api/v1/purchases",
            json={"member": ref, "branch": branch, "external_id": "F-1", "total_rials": 120_000},
            headers=club.headers("cashier", **{"Idempotency-Key": f"k-{ref}-{branch}"}),
        )
        assert response.status_code == 404, response.text
        assert error_code(response) == "not_found"


async def test_naming_the_member_two_ways_at_once_is_a_validation_error(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, "09121234567")
    response = await client.post(
        "/api/v1/purchases",
        json=sale_body(0, 120_000, external_id="F-1", member={"id": member["id"], "mobile": "09121234567"}),
        headers=club.headers("cashier", **{"Idempotency-Key": "k1"}),
    )
    assert_refused(response, 422, "validation_error")


async def test_a_branch_key_records_sales_on_its_own_branch_only(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    till = await add_key(db, club, "till 1", "cashier", branch="online")
    member = await enrol(client, club)
    body = {"member": {"id": member["id"]}, "external_id": "T-1", "total_rials": 100_000}
    own = await client.post(
        "/api/v1/purchases", json=body, headers={"Authorization": f"Bearer {till}", "Idempotency-Key": "a"}
    )
    assert own.status_code == 201, own.text
    assert own.json()["branch"] == "online"
    other = await client.post(
        "/api/v1/purchases",
        json={**body, "external_id": "T-2", "branch": "main"},
        headers={"Authorization": f"Bearer {till}", "Idempotency-Key": "b"},
    )
    assert_refused(other, 422, "invalid_input")
    assert (await balance(client, club, member["id"]))["available"] == 10


async def test_a_key_for_all_branches_must_name_the_branch(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/purchases",
        json={"member": {"id": member["id"]}, "external_id": "T-1", "total_rials": 100_000},
        headers=club.headers("cashier", **{"Idempotency-Key": "a"}),
    )
    assert_refused(response, 422, "invalid_input")


async def test_items_are_kept_with_the_purchase(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    sale = await bought(
        client,
        club,
        member["id"],
        450_000,
        items=[
            {"sku": "MILK-1L", "category": "dairy", "quantity": 3, "unit_price_rials": 50_000},
            {"sku": "RICE-5KG", "quantity": 1, "unit_price_rials": 300_000},
        ],
    )
    assert sale["points_earned"] == 45
    # The till can later return one bottle of milk by its SKU: the sale remembers what was in the basket.
    back = await client.post(
        f"/api/v1/purchases/{sale['id']}/refunds",
        json={"items": [{"sku": "MILK-1L", "quantity": 1}]},
        headers=club.headers("cashier", **{"Idempotency-Key": "milk"}),
    )
    assert back.status_code == 201, back.text
    assert (back.json()["amount_rials"], back.json()["points_reversed"]) == (50_000, 5)


async def test_only_owners_and_managers_change_the_programme(client: httpx.AsyncClient, club: Club) -> None:
    for role in ("cashier", "integration"):
        response = await client.patch(
            "/api/v1/programme", json={"earn_points": 100}, headers=club.headers(role)
        )
        assert_refused(response, 403, "forbidden")
    manager = await client.patch(
        "/api/v1/programme", json={"pending_days": 3}, headers=club.headers("manager")
    )
    assert manager.status_code == 200
    programme = await client.get("/api/v1/programme", headers=club.headers("cashier"))
    assert programme.json()["pending_days"] == 3
    assert programme.json()["earn_points"] == 1
    # The old path answers the same until 0.3.
    old = await client.patch("/api/v1/program", json={"pending_days": 4}, headers=club.headers("manager"))
    assert old.status_code == 200
    assert (await client.get("/api/v1/program", headers=club.headers("cashier"))).json()["pending_days"] == 4


async def test_the_time_of_sale_must_carry_its_time_zone(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    naive = await purchase(client, club, member["id"], 100_000, occurred_at="2026-03-20T23:30:00")
    assert_refused(naive, 422, "validation_error")
    assert (await balance(client, club, member["id"]))["total"] == 0

    tehran = await purchase(client, club, member["id"], 100_000, occurred_at="2026-03-20T23:30:00+03:30")
    assert tehran.status_code == 201, tehran.text
    assert datetime.fromisoformat(tehran.json()["occurred_at"]) == datetime(2026, 3, 20, 20, 0, tzinfo=UTC)


async def test_the_same_receipt_sent_for_two_members_at_once_is_recorded_once(
    client: httpx.AsyncClient, club: Club
) -> None:
    import asyncio

    members = [await enrol(client, club) for _ in range(4)]
    responses = await asyncio.gather(
        *(purchase(client, club, m["id"], 100_000, external_id="F-900") for m in members)
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    assert {error_code(r) for r in responses if r.status_code == 409} == {"duplicate_receipt"}
    totals = [(await balance(client, club, m["id"]))["total"] for m in members]
    assert sorted(totals) == [0, 0, 0, 10]
