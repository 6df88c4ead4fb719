"""Members giving points to each other: exact balances, expiry dates kept, no self-gifts, no overdraft."""

from __future__ import annotations

import httpx

from bashgah.core.db import Database
from bashgah.ledger.verify import verify
from support import Club, balance, enrol, give_points


async def _give(
    client: httpx.AsyncClient, club: Club, giver: int, to: dict[str, object], points: int, key: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/members/{giver}/transfers",
        json={"to": to, "points": points, "reason": "هدیه تولد"},
        headers=club.headers("integration", **{"Idempotency-Key": key}),
    )


async def test_a_member_gives_points_to_a_friend_by_phone_and_expiry_dates_travel_with_them(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    giver = await enrol(client, club)
    friend = await enrol(client, club, mobile="09351112233")
    await give_points(client, club, giver["id"], 500)
    before = await balance(client, club, giver["id"])

    response = await _give(client, club, giver["id"], {"mobile": "+98 935 111 2233"}, 200, "gift-1")
    assert response.status_code == 201, response.text
    assert response.json()["balance"]["available"] == 300
    received = await balance(client, club, friend["id"])
    assert received["available"] == 200
    assert received["next_expiry_at"] == before["next_expiry_at"]

    statement = (await client.get(f"/api/v1/members/{friend['id']}/ledger", headers=club.headers())).json()
    assert statement["items"][0]["code"] == "transfer" and statement["items"][0]["points"] == 200
    async with db.transaction() as session:
        assert (await verify(session)).ok


async def test_giving_more_than_available_or_to_oneself_changes_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    giver = await enrol(client, club)
    friend = await enrol(client, club)
    await give_points(client, club, giver["id"], 100)

    too_much = await _give(client, club, giver["id"], {"id": friend["id"]}, 101, "gift-2")
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_points"
    to_self = await _give(client, club, giver["id"], {"id": giver["id"]}, 10, "gift-3")
    assert to_self.status_code == 422
    assert (await balance(client, club, giver["id"]))["available"] == 100
    assert (await balance(client, club, friend["id"]))["total"] == 0
