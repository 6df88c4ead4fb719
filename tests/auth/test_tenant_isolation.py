"""A key of one club can neither read nor change anything of another club."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bashgah.core.db import Database
from support import Club, balance, bought, enrol, error_code, give_points, ledger_problems, make_club, reserve


@dataclass
class Theirs:
    club: Club
    member: dict[str, Any]
    purchase: dict[str, Any]
    reservation: dict[str, Any]


@pytest.fixture
async def theirs(client: httpx.AsyncClient, club: Club, db: Database) -> Theirs:
    """Club beta with a member, a purchase and an open reservation; club alpha (``club``) is the intruder."""
    beta = await make_club(db, "beta")
    member = await enrol(client, beta, "09121234567", national_code="0012345679", first_name="نگار")
    await give_points(client, beta, member["id"], 500)
    sale = await bought(client, beta, member["id"], 1_000_000, external_id="B-1")
    hold = await reserve(client, beta, member["id"], 100)
    assert hold.status_code == 201
    # The intruder's own club has a member too, so ids exist on both sides.
    await enrol(client, club)
    return Theirs(beta, member, sale, hold.json())


async def unchanged(client: httpx.AsyncClient, theirs: Theirs, db: Database) -> None:
    after = await balance(client, theirs.club, theirs.member["id"])
    assert (after["available"], after["reserved"], after["total"]) == (500 + 100 - 100, 100, 600)
    member = await client.get(f"/api/v1/members/{theirs.member['id']}", headers=theirs.club.headers())
    assert member.json() == theirs.member
    reservation = await client.get(
        f"/api/v1/redemptions/{theirs.reservation['id']}", headers=theirs.club.headers()
    )
    assert reservation.json()["status"] == "held"
    assert await ledger_problems(db) == []


@pytest.mark.parametrize("role", ["owner", "manager", "cashier", "integration"])
async def test_reading_another_clubs_data_is_404(
    client: httpx.AsyncClient, club: Club, theirs: Theirs, role: str
) -> None:
    member_id = theirs.member["id"]
    for path in (
        f"/api/v1/members/{member_id}",
        f"/api/v1/members/{member_id}/balance",
        f"/api/v1/members/{member_id}/ledger",
        f"/api/v1/purchases/{theirs.purchase['id']}",
        f"/api/v1/redemptions/{theirs.reservation['id']}",
    ):
        response = await client.get(path, headers=club.headers(role))
        assert response.status_code == 404, (path, response.text)
        assert error_code(response) == "not_found"


async def test_lookup_never_finds_another_clubs_member(
    client: httpx.AsyncClient, club: Club, theirs: Theirs
) -> None:
    for q in ("09121234567", theirs.member["card_number"], theirs.member["qr_payload"], "0012345679", "نگار"):
        response = await client.get("/api/v1/members/lookup", params={"q": q}, headers=club.headers())
        assert response.status_code == 200
        assert response.json()["items"] == [], q


async def test_changing_another_clubs_data_is_404_and_changes_nothing(
    client: httpx.AsyncClient, club: Club, theirs: Theirs, db: Database
) -> None:
    member_id, purchase_id, hold_id = theirs.member["id"], theirs.purchase["id"], theirs.reservation["id"]
    owner = club.headers("owner")

    def keyed(key: str) -> dict[str, str]:
        return club.headers("owner", **{"Idempotency-Key": key})

    attempts = [
        await client.patch(f"/api/v1/members/{member_id}", json={"first_name": "x"}, headers=owner),
        await client.post(f"/api/v1/members/{member_id}/block", json={"reason": "hostile"}, headers=owner),
        await client.post(f"/api/v1/members/{member_id}/unblock", headers=owner),
        await client.post(
            f"/api/v1/members/{member_id}/adjustments",
            json={"points": -500, "reason": "steal"},
            headers=keyed("a"),
        ),
        await client.post(
            f"/api/v1/members/{member_id}/adjustments",
            json={"points": 500, "reason": "gift"},
            headers=keyed("b"),
        ),
        await client.post(f"/api/v1/purchases/{purchase_id}/refunds", json={}, headers=keyed("c")),
        await client.post(f"/api/v1/redemptions/{hold_id}/commit", headers=owner),
        await client.post(f"/api/v1/redemptions/{hold_id}/cancel", headers=owner),
    ]
    for ref in ({"id": member_id}, {"mobile": "09121234567"}, {"card": theirs.member["card_number"]}):
        attempts.append(
            await client.post(
                "/api/v1/purchases",
                json={"member": ref, "branch": "main", "external_id": f"X-{ref}", "total_rials": 10_000_000},
                headers=keyed(f"p-{ref}"),
            )
        )
        attempts.append(
            await client.post(
                "/api/v1/redemptions",
                json={"member": ref, "points": 10, "branch": "main"},
                headers=keyed(f"r-{ref}"),
            )
        )
    for response in attempts:
        assert response.status_code == 404, (response.request.url, response.text)
        assert error_code(response) == "not_found"
    await unchanged(client, theirs, db)


async def test_a_purchase_on_another_clubs_branch_code_books_to_the_callers_club(
    client: httpx.AsyncClient, club: Club, theirs: Theirs, db: Database
) -> None:
    # Both clubs have a branch called "main": the code is read within the caller's own club.
    mine = await enrol(client, club)
    sale = await bought(client, club, mine["id"], 100_000, external_id="B-1")
    assert sale["branch"] == "main"
    await unchanged(client, theirs, db)


async def test_without_a_key_or_with_a_wrong_or_revoked_key_is_401(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from support import add_key

    member = await enrol(client, club)
    path = f"/api/v1/members/{member['id']}"
    spare = await add_key(db, club, "old till", "cashier")
    ok = await client.get(path, headers={"Authorization": f"Bearer {spare}"})
    assert ok.status_code == 200

    from bashgah.auth import service as auth
    from bashgah.models import ApiKey

    async with db.transaction() as session:
        key_id = await session.scalar(select(ApiKey.id).where(ApiKey.key_hash == auth.hash_key(spare)))
        assert key_id is not None
        await auth.revoke(session, club.tenant_id, key_id)

    for headers in (
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer bg_not-a-real-key"},
        {"X-API-Key": "bg_not-a-real-key"},
        {"Authorization": f"Bearer {spare}"},
        {"X-API-Key": spare},
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert error_code(response) == "unauthorized"
    refused = await client.post(
        "/api/v1/purchases",
        json={"member": {"id": member["id"]}, "branch": "main", "external_id": "Z", "total_rials": 100_000},
        headers={"Authorization": f"Bearer {spare}", "Idempotency-Key": "z"},
    )
    assert refused.status_code == 401
    assert (await balance(client, club, member["id"]))["total"] == 0


async def test_a_key_in_the_x_api_key_header_works_too(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await client.get(
        f"/api/v1/members/{member['id']}", headers={"X-API-Key": club.keys["cashier"]}
    )
    assert response.status_code == 200
