"""Returns: earned points go back in proportion, spent points come back, and parts add up exactly."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bashgah.core.db import Database
from scenarios import first_sale, returned
from support import (
    Club,
    assert_refused,
    balance,
    bought,
    enrol,
    give_points,
    ledger_problems,
    refund,
    reserve,
    set_program,
)


def figures(balance: dict[str, Any]) -> dict[str, Any]:
    """The point figures of a balance (the exact expiry instant differs between two members)."""
    return {k: v for k, v in balance.items() if k != "next_expiry_at"}


async def test_a_full_refund_takes_back_what_was_earned_and_gives_back_what_was_spent(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member, sale = await first_sale(client, club, 1_000_000, redeem_points=100, points=200)
    assert (sale["points_earned"], sale["balance"]["available"]) == (90, 190)

    back = await returned(client, club, sale["id"], reason="customer changed her mind")
    assert back["amount_rials"] == 1_000_000
    assert back["points_reversed"] == 90
    assert back["points_returned"] == 100
    assert back["points_unrecovered"] == 0
    assert back["cash_refund_rials"] == 900_000
    assert back["balance"]["available"] == 200
    summary = await balance(client, club, member["id"])
    assert (summary["available"], summary["total"]) == (200, 200)
    assert (summary["lifetime_earned"], summary["lifetime_redeemed"]) == (0, 0)
    fetched = await client.get(f"/api/v1/purchases/{sale['id']}", headers=club.headers())
    assert fetched.json()["refunded_rials"] == 1_000_000
    assert await ledger_problems(db) == []


async def test_a_refund_in_three_parts_ends_exactly_like_one_full_refund(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    in_parts, at_once = await enrol(client, club), await enrol(client, club)
    results = []
    for member in (in_parts, at_once):
        await give_points(client, club, member["id"], 10)
        results.append(await bought(client, club, member["id"], 1_000_000, redeem_points=7))
    parts_sale, whole_sale = results
    assert parts_sale["points_earned"] == 99  # 993,000 rials paid

    parts = [
        await returned(client, club, parts_sale["id"], amount_rials=a) for a in (333_333, 333_333, 333_334)
    ]
    whole = await returned(client, club, whole_sale["id"])

    assert sum(p["points_reversed"] for p in parts) == whole["points_reversed"] == 99
    assert sum(p["points_returned"] for p in parts) == whole["points_returned"] == 7
    assert sum(p["cash_refund_rials"] for p in parts) == whole["cash_refund_rials"] == 993_000
    assert figures(parts[-1]["balance"]) == figures(whole["balance"])
    assert figures(await balance(client, club, in_parts["id"])) == figures(
        await balance(client, club, at_once["id"])
    )
    assert (await balance(client, club, in_parts["id"]))["available"] == 10
    assert await ledger_problems(db) == []


async def test_a_partial_refund_takes_back_points_in_proportion(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, sale = await first_sale(client, club, 800_000)
    back = await returned(client, club, sale["id"], amount_rials=200_000)
    assert (back["points_reversed"], back["points_returned"]) == (20, 0)
    assert back["cash_refund_rials"] == 200_000
    assert back["balance"]["available"] == 60


async def test_a_refund_by_items_prices_the_returned_items(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    sale = await bought(
        client,
        club,
        member["id"],
        500_000,
        items=[
            {"sku": "SHIRT", "quantity": 2, "unit_price_rials": 100_000},
            {"sku": "SHOES", "quantity": 1, "unit_price_rials": 300_000},
        ],
    )
    one_shirt = await returned(client, club, sale["id"], items=[{"sku": "SHIRT", "quantity": 1}])
    assert (one_shirt["amount_rials"], one_shirt["points_reversed"]) == (100_000, 10)

    too_many = await refund(client, club, sale["id"], items=[{"sku": "SHIRT", "quantity": 2}])
    assert_refused(too_many, 422, "invalid_input")
    unknown = await refund(client, club, sale["id"], items=[{"sku": "HAT", "quantity": 1}])
    assert unknown.status_code == 422

    rest = await returned(
        client, club, sale["id"], items=[{"sku": "SHIRT", "quantity": 1}, {"sku": "SHOES", "quantity": 1}]
    )
    assert (rest["amount_rials"], rest["points_reversed"]) == (400_000, 40)
    assert rest["balance"]["total"] == 0


async def test_refunding_more_than_is_left_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, sale = await first_sale(client, club, 500_000)
    await returned(client, club, sale["id"], amount_rials=300_000)
    too_much = await refund(client, club, sale["id"], amount_rials=200_001)
    assert_refused(too_much, 422, "invalid_input")
    assert (await balance(client, club, member["id"]))["available"] == 20
    await returned(client, club, sale["id"], amount_rials=200_000)
    nothing_left = await refund(client, club, sale["id"])
    assert_refused(nothing_left, 409, "invalid_state")
    assert (await balance(client, club, member["id"]))["total"] == 0


async def test_a_retried_refund_is_applied_once(client: httpx.AsyncClient, club: Club) -> None:
    member, sale = await first_sale(client, club, 500_000)
    first = await refund(client, club, sale["id"], key="ret-1", amount_rials=100_000)
    again = await refund(client, club, sale["id"], key="ret-1", amount_rials=100_000)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (await balance(client, club, member["id"]))["available"] == 40


async def test_within_balance_claws_back_what_is_left_and_records_the_rest(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, refund_policy="within_balance")
    member, sale = await first_sale(client, club, 1_000_000)
    spent = await bought(client, club, member["id"], 80_000, redeem_points=80)
    assert spent["balance"]["available"] == 20

    back = await returned(client, club, sale["id"])
    assert back["points_reversed"] == 20
    assert back["points_unrecovered"] == 80
    assert back["balance"]["available"] == 0
    assert back["balance"]["total"] == 0
    # The next purchase earns in full: nothing is owed under this policy.
    later = await bought(client, club, member["id"], 100_000)
    assert later["balance"]["available"] == 10
    assert await ledger_problems(db) == []


async def test_allow_negative_takes_everything_back_and_later_earnings_pay_the_debt_first(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, refund_policy="allow_negative")
    member, sale = await first_sale(client, club, 1_000_000)
    await bought(client, club, member["id"], 80_000, redeem_points=80)

    back = await returned(client, club, sale["id"])
    assert back["points_reversed"] == 100
    assert back["points_unrecovered"] == 0
    assert back["balance"]["total"] == -80
    assert back["balance"]["available"] == 0

    small = await bought(client, club, member["id"], 500_000)
    assert (small["balance"]["total"], small["balance"]["available"]) == (-30, 0)
    cannot_spend = await bought(client, club, member["id"], 10_000)  # +1, still in debt
    assert cannot_spend["balance"]["available"] == 0
    paid_off = await bought(client, club, member["id"], 1_000_000)
    assert (paid_off["balance"]["total"], paid_off["balance"]["available"]) == (71, 71)
    assert await ledger_problems(db) == []


@pytest.mark.parametrize("policy", ["within_balance", "allow_negative"])
async def test_refund_of_a_sale_whose_points_are_still_pending(
    client: httpx.AsyncClient, club: Club, db: Database, policy: str
) -> None:
    await set_program(client, club, pending_days=14, refund_policy=policy)
    member, sale = await first_sale(client, club, 600_000)
    assert sale["balance"]["pending"] == 60
    back = await returned(client, club, sale["id"], amount_rials=300_000)
    assert (back["points_reversed"], back["points_unrecovered"]) == (30, 0)
    assert (back["balance"]["pending"], back["balance"]["total"]) == (30, 30)
    assert await ledger_problems(db) == []


async def test_a_refund_needs_amount_or_items_not_both(client: httpx.AsyncClient, club: Club) -> None:
    member, sale = await first_sale(client, club, 500_000)
    both = await refund(client, club, sale["id"], amount_rials=1, items=[{"sku": "A", "quantity": 1}])
    assert_refused(both, 422, "validation_error")
    missing = await refund(client, club, 999_999)
    assert_refused(missing, 404, "not_found")


@pytest.mark.parametrize("then", ["cancel", "commit part"])
async def test_allow_negative_refund_while_the_points_are_reserved_cannot_be_spent_twice(
    client: httpx.AsyncClient, club: Club, db: Database, then: str
) -> None:
    await set_program(client, club, refund_policy="allow_negative")
    member, sale = await first_sale(client, club, 1_000_000)
    hold = await reserve(client, club, member["id"], 100)
    assert hold.status_code == 201

    back = await returned(client, club, sale["id"])
    assert back["points_reversed"] == 100
    assert back["balance"]["total"] == 0

    path = "cancel" if then == "cancel" else "commit"
    body = {"points": 40} if then == "commit part" else None
    closed = await client.post(
        f"/api/v1/redemptions/{hold.json()['id']}/{path}", json=body, headers=club.headers("cashier")
    )
    assert closed.status_code == 200, closed.text
    after = await balance(client, club, member["id"])
    # The refund took the points back: whatever the hold gives back pays that, and nothing is spendable.
    assert after["available"] == 0
    assert after["total"] == (0 if then == "cancel" else -40)
    assert await ledger_problems(db) == []
    spend = await bought(client, club, member["id"], 100_000)
    assert spend["balance"]["available"] == (10 if then == "cancel" else 0)


async def test_the_cash_refund_uses_the_point_value_of_the_sale_not_todays(
    client: httpx.AsyncClient, club: Club
) -> None:
    await set_program(client, club, point_value_rials=1_000)
    member, sale = await first_sale(client, club, 500_000, redeem_points=100, points=100)
    assert (sale["discount_rials"], sale["paid_rials"]) == (100_000, 400_000)

    await set_program(client, club, point_value_rials=5_000)
    half = await returned(client, club, sale["id"], amount_rials=250_000)
    rest = await returned(client, club, sale["id"])
    assert (half["points_returned"], half["cash_refund_rials"]) == (50, 200_000)
    assert (rest["points_returned"], rest["cash_refund_rials"]) == (50, 200_000)
