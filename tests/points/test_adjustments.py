"""Manual adjustments: managers and owners only, always with a reason, never below zero."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bashgah.core.db import Database
from scenarios import member_with
from support import Club, assert_refused, balance, enrol, ledger_problems, set_program


async def adjust(
    client: httpx.AsyncClient,
    club: Club,
    member_id: int,
    role: str = "manager",
    key: str | None = None,
    **body: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/members/{member_id}/adjustments",
        json=body,
        headers=club.headers(role, **{"Idempotency-Key": key or f"adj-{member_id}-{body}-{role}"}),
    )


@pytest.mark.parametrize("role", ["owner", "manager"])
async def test_a_manager_or_owner_gives_points_with_a_reason(
    client: httpx.AsyncClient, club: Club, db: Database, role: str
) -> None:
    member = await enrol(client, club)
    response = await adjust(client, club, member["id"], role, points=150, reason="  birthday gift ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["points"], body["reason"]) == (150, "birthday gift")
    assert body["balance"]["available"] == 150
    ledger = await client.get(f"/api/v1/members/{member['id']}/ledger", headers=club.headers())
    line = ledger.json()["items"][0]
    assert (line["code"], line["points"], line["reason"]) == ("adjust", 150, "birthday gift")
    assert await ledger_problems(db) == []


@pytest.mark.parametrize("role", ["cashier", "integration"])
async def test_cashier_and_integration_keys_cannot_adjust(
    client: httpx.AsyncClient, club: Club, role: str, member: dict[str, Any]
) -> None:
    for points in (100, -1):
        response = await adjust(client, club, member["id"], role, points=points, reason="friend of the owner")
        assert_refused(response, 403, "forbidden")
    assert (await balance(client, club, member["id"]))["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"points": 100},
        {"points": 100, "reason": ""},
        {"points": 100, "reason": "   "},
        {"points": 0, "reason": "x y z"},
    ],
    ids=["no reason", "empty reason", "blank reason", "zero points"],
)
async def test_an_adjustment_needs_a_reason_and_a_non_zero_amount(
    client: httpx.AsyncClient, club: Club, body: dict[str, Any], member: dict[str, Any]
) -> None:
    response = await adjust(client, club, member["id"], **body)
    assert_refused(response, 422, "validation_error")
    assert (await balance(client, club, member["id"]))["total"] == 0


async def test_taking_points_away_within_the_balance(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    response = await adjust(
        client, club, member["id"], points=-30, reason="duplicate receipt entered by hand"
    )
    assert response.status_code == 201
    assert response.json()["balance"]["available"] == 70
    ledger = await client.get(f"/api/v1/members/{member['id']}/ledger", headers=club.headers())
    assert ledger.json()["items"][0]["points"] == -30
    assert await ledger_problems(db) == []


async def test_taking_more_than_the_balance_is_refused(client: httpx.AsyncClient, club: Club) -> None:
    member = await member_with(client, club, 100)
    response = await adjust(client, club, member["id"], points=-101, reason="correction")
    assert_refused(response, 409, "insufficient_points")
    assert (await balance(client, club, member["id"]))["available"] == 100


async def test_points_held_by_a_reservation_cannot_be_taken_away(
    client: httpx.AsyncClient, club: Club
) -> None:
    from support import reserve

    member = await member_with(client, club, 100)
    assert (await reserve(client, club, member["id"], 80)).status_code == 201
    response = await adjust(client, club, member["id"], points=-21, reason="correction")
    assert_refused(response, 409, "insufficient_points")


async def test_an_adjustment_needs_an_idempotency_key_and_a_retry_applies_once(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    url = f"/api/v1/members/{member['id']}/adjustments"
    body: dict[str, Any] = {"points": 40, "reason": "survey answered"}
    missing = await client.post(url, json=body, headers=club.headers())
    assert_refused(missing, 400, "idempotency_key_required")
    first = await adjust(client, club, member["id"], key="survey-7", **body)
    again = await adjust(client, club, member["id"], key="survey-7", **body)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (await balance(client, club, member["id"]))["available"] == 40


async def test_points_given_by_hand_follow_the_expiry_rule(client: httpx.AsyncClient, club: Club) -> None:
    await set_program(client, club, expiry_mode="never")
    member = await member_with(client, club, 10)
    assert (await balance(client, club, member["id"]))["next_expiry_at"] is None


async def test_taking_points_away_takes_only_what_the_member_could_spend(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from support import bought

    await set_program(client, club, pending_days=14)
    member = await member_with(client, club, 552)
    await bought(client, club, member["id"], 6_690_000)  # 669 points still in their return window
    assert (await balance(client, club, member["id"]))["available"] == 552

    refused = await adjust(client, club, member["id"], points=-1000, reason="correction")
    english = await client.post(
        f"/api/v1/members/{member['id']}/adjustments",
        json={"points": -1000, "reason": "correction"},
        headers=club.headers("manager", **{"Idempotency-Key": "adj-en", "Accept-Language": "en"}),
    )

    assert refused.status_code == english.status_code == 409
    assert english.json()["error"]["message"] == "Not enough points: 552 available, 1,000 requested."
    assert (
        "۵۵۲ امتیاز موجود است" in refused.json()["error"]["message"]
    )  # Persian digits in the Persian message
    taken = await adjust(client, club, member["id"], points=-552, reason="duplicate gift")
    assert taken.status_code == 201
    assert (taken.json()["balance"]["available"], taken.json()["balance"]["pending"]) == (0, 669)
    assert await ledger_problems(db) == []
