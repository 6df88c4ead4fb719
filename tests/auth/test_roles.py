"""What each role may do with its key."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support import Club, assert_refused, purchase


@pytest.mark.parametrize("role", ["owner", "manager", "cashier", "integration"])
async def test_every_role_can_enrol_and_record_a_sale(
    client: httpx.AsyncClient, club: Club, role: str
) -> None:
    enrolled = await client.post(
        "/api/v1/members", json={"mobile": "09121234567"}, headers=club.headers(role)
    )
    assert enrolled.status_code == 201
    sale = await purchase(client, club, enrolled.json()["id"], 100_000, role=role)
    assert sale.status_code == 201, sale.text


@pytest.mark.parametrize("role", ["manager", "cashier", "integration"])
async def test_only_the_owner_opens_a_branch(client: httpx.AsyncClient, club: Club, role: str) -> None:
    response = await client.post(
        "/api/v1/branches", json={"code": "north", "name": "شعبه شمال"}, headers=club.headers(role)
    )
    assert_refused(response, 403, "forbidden")
    opened = await client.post(
        "/api/v1/branches", json={"code": "north", "name": "شعبه شمال"}, headers=club.headers("owner")
    )
    assert opened.status_code == 201
    codes = [
        b["code"] for b in (await client.get("/api/v1/branches", headers=club.headers(role))).json()["items"]
    ]
    assert codes == ["main", "online", "north"]


async def test_a_forbidden_answer_names_the_role(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await client.post(
        f"/api/v1/members/{member['id']}/adjustments",
        json={"points": 5, "reason": "please"},
        headers=club.headers("cashier", **{"Idempotency-Key": "x", "Accept-Language": "en"}),
    )
    assert response.status_code == 403
    assert "cashier" in response.json()["error"]["message"]
