"""Two-phase redemption: hold points while the till prices, then commit, commit part, or cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from bashgah.core.db import Database
from bashgah.models import Reservation
from bashgah.redemptions.service import release_lapsed
from support import (
    Club,
    assert_refused,
    balance,
    bought,
    enrol,
    error_code,
    execute,
    give_points,
    ledger_problems,
    purchase,
    reserve,
    set_program,
)


async def member_with(client: httpx.AsyncClient, club: Club, points: int) -> int:
    member = await enrol(client, club)
    await give_points(client, club, member["id"], points)
    member_id: int = member["id"]
    return member_id


async def held(
    client: httpx.AsyncClient, club: Club, member_id: int, points: int, **fields: Any
) -> dict[str, Any]:
    response = await reserve(client, club, member_id, points, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def close(
    client: httpx.AsyncClient, club: Club, reservation_id: int, action: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/redemptions/{reservation_id}/{action}", json=body or None, headers=club.headers("cashier")
    )


async def lapse(db: Database, reservation_id: int) -> None:
    """The hold's time runs out (moved in the database rather than on the clock)."""
    past = datetime.now(UTC) - timedelta(minutes=1)
    await execute(db, update(Reservation).where(Reservation.id == reservation_id).values(expires_at=past))


async def lapsed_hold(
    client: httpx.AsyncClient, club: Club, db: Database, points: int, held_points: int
) -> tuple[int, dict[str, Any]]:
    """A member given ``points`` whose hold of ``held_points`` ran out unseen: (the member's id, the hold)."""
    member_id = await member_with(client, club, points)
    hold = await held(client, club, member_id, held_points)
    await lapse(db, hold["id"])
    return member_id, hold


async def test_a_reservation_holds_points_so_they_cannot_be_spent_elsewhere(
    client: httpx.AsyncClient, club: Club
) -> None:
    await set_program(client, club, point_value_rials=1_000, reservation_minutes=15)
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300, external_ref="basket-17")
    assert hold["status"] == "held"
    assert (hold["points"], hold["committed_points"], hold["value_rials"]) == (300, 0, 300_000)
    assert hold["external_ref"] == "basket-17"
    minutes = (datetime.fromisoformat(hold["expires_at"]) - datetime.now(UTC)).total_seconds() / 60
    assert 14 < minutes <= 15
    assert (hold["balance"]["reserved"], hold["balance"]["available"], hold["balance"]["total"]) == (
        300,
        700,
        1_000,
    )

    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"], summary["total"]) == (700, 300, 1_000)
    too_much = await purchase(client, club, member_id, 1_000_000, redeem=701)
    assert_refused(too_much, 409, "insufficient_points")
    fetched = await client.get(f"/api/v1/redemptions/{hold['id']}", headers=club.headers())
    assert fetched.json()["status"] == "held"


async def test_reserving_more_than_is_available_is_refused(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await member_with(client, club, 100)
    await held(client, club, member_id, 60)
    response = await reserve(client, club, member_id, 41)
    assert_refused(response, 409, "insufficient_points")
    assert (await balance(client, club, member_id))["reserved"] == 60


async def test_commit_spends_all_the_held_points(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    committed = await close(client, club, hold["id"], "commit")
    assert committed.status_code == 200, committed.text
    body = committed.json()
    assert (body["status"], body["committed_points"], body["value_rials"]) == ("committed", 300, 300_000)
    assert body["closed_at"] is not None
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"], summary["total"]) == (700, 0, 700)
    assert summary["lifetime_redeemed"] == 300
    ledger = await client.get(f"/api/v1/members/{member_id}/ledger", headers=club.headers())
    assert [(line["code"], line["points"]) for line in ledger.json()["items"]][0] == ("redeem", -300)
    assert await ledger_problems(db) == []


async def test_commit_part_gives_the_rest_back(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    committed = await close(client, club, hold["id"], "commit", points=120)
    assert committed.status_code == 200, committed.text
    assert (committed.json()["committed_points"], committed.json()["value_rials"]) == (120, 120_000)
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"], summary["total"]) == (880, 0, 880)
    assert summary["lifetime_redeemed"] == 120
    assert await ledger_problems(db) == []


async def test_commit_of_more_than_was_held_is_refused_and_the_hold_stays(
    client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    response = await close(client, club, hold["id"], "commit", points=301)
    assert_refused(response, 422, "invalid_input")
    assert (await balance(client, club, member_id))["reserved"] == 300
    assert (await close(client, club, hold["id"], "commit", points=300)).status_code == 200


async def test_cancel_gives_every_point_back(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    cancelled = await close(client, club, hold["id"], "cancel")
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["committed_points"]) == ("cancelled", 0)
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"], summary["lifetime_redeemed"]) == (1_000, 0, 0)
    assert await ledger_problems(db) == []


async def test_commit_after_cancel_is_refused(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    await close(client, club, hold["id"], "cancel")
    late = await close(client, club, hold["id"], "commit")
    assert_refused(late, 409, "invalid_state")
    again = await close(client, club, hold["id"], "cancel")
    assert error_code(again) == "invalid_state"
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["lifetime_redeemed"]) == (1_000, 0)


async def test_commit_twice_spends_once(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    first = await close(client, club, hold["id"], "commit")
    second = await close(client, club, hold["id"], "commit")
    assert first.status_code == 200
    assert_refused(second, 409, "invalid_state")
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["lifetime_redeemed"]) == (700, 300)
    assert await ledger_problems(db) == []


async def test_a_retried_commit_with_its_idempotency_key_replays_the_answer(
    client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await member_with(client, club, 1_000)
    hold = await held(client, club, member_id, 300)
    headers = club.headers("cashier", **{"Idempotency-Key": f"commit-{hold['id']}"})
    url = f"/api/v1/redemptions/{hold['id']}/commit"
    first = await client.post(url, json={"points": 200}, headers=headers)
    again = await client.post(url, json={"points": 200}, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (await balance(client, club, member_id))["lifetime_redeemed"] == 200


async def test_a_hold_whose_time_ran_out_is_released_when_the_member_is_next_touched(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id, hold = await lapsed_hold(client, club, db, 1_000, 300)

    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"]) == (1_000, 0)
    fetched = await client.get(f"/api/v1/redemptions/{hold['id']}", headers=club.headers())
    assert fetched.json()["status"] == "expired"
    late = await close(client, club, hold["id"], "commit")
    assert_refused(late, 409, "invalid_state")
    assert (await balance(client, club, member_id))["lifetime_redeemed"] == 0
    assert await ledger_problems(db) == []


async def test_a_lapsed_hold_is_released_by_a_purchase_that_needs_its_points(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id, hold = await lapsed_hold(client, club, db, 100, 100)
    sale = await bought(client, club, member_id, 200_000, redeem_points=100)
    assert sale["balance"]["reserved"] == 0
    assert sale["balance"]["available"] == 10
    assert await ledger_problems(db) == []


async def test_committing_a_hold_whose_time_ran_out_is_refused(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id, hold = await lapsed_hold(client, club, db, 1_000, 300)
    late = await close(client, club, hold["id"], "commit")
    assert_refused(late, 409, "invalid_state")
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"], summary["lifetime_redeemed"]) == (1_000, 0, 0)
    assert await ledger_problems(db) == []


async def test_the_release_job_frees_every_lapsed_hold_exactly_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    first, second = await member_with(client, club, 500), await member_with(client, club, 500)
    lapsed = [await held(client, club, first, 100), await held(client, club, second, 200)]
    open_hold = await held(client, club, first, 50)
    for hold in lapsed:
        await lapse(db, hold["id"])

    async with db.transaction() as session:
        assert await release_lapsed(session) == 2
    async with db.transaction() as session:
        assert await release_lapsed(session) == 0

    statuses = [
        (await client.get(f"/api/v1/redemptions/{h['id']}", headers=club.headers())).json()["status"]
        for h in (*lapsed, open_hold)
    ]
    assert statuses == ["expired", "expired", "held"]
    assert (await balance(client, club, first))["available"] == 450
    assert (await balance(client, club, second))["available"] == 500
    assert await ledger_problems(db) == []


async def test_a_hold_may_set_its_own_time(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await member_with(client, club, 100)
    hold = await held(client, club, member_id, 10, hold_minutes=120)
    minutes = (datetime.fromisoformat(hold["expires_at"]) - datetime.now(UTC)).total_seconds() / 60
    assert 119 < minutes <= 120


async def test_an_unknown_reservation_is_404(client: httpx.AsyncClient, club: Club) -> None:
    for response in (
        await client.get("/api/v1/redemptions/999999", headers=club.headers()),
        await close(client, club, 999_999, "commit"),
        await close(client, club, 999_999, "cancel"),
    ):
        assert_refused(response, 404, "not_found")


async def test_two_release_jobs_at_once_release_each_hold_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    import asyncio

    members = [await member_with(client, club, 100) for _ in range(3)]
    holds = [await held(client, club, member_id, 60) for member_id in members]
    for hold in holds:
        await lapse(db, hold["id"])

    async def job() -> int:
        async with db.transaction() as session:
            return await release_lapsed(session)

    assert sum(await asyncio.gather(job(), job(), job())) == 3
    for member_id in members:
        assert (await balance(client, club, member_id))["available"] == 100
    assert await ledger_problems(db) == []


async def test_a_branch_key_reserves_on_its_own_branch_only(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from support import add_key

    till = await add_key(db, club, "till 2", "cashier", branch="main")
    member_id = await member_with(client, club, 100)
    url, body = "/api/v1/redemptions", {"member": {"id": member_id}, "points": 10}
    own = await client.post(
        url, json=body, headers={"Authorization": f"Bearer {till}", "Idempotency-Key": "a"}
    )
    assert own.status_code == 201, own.text
    other = await client.post(
        url,
        json={**body, "branch": "online"},
        headers={"Authorization": f"Bearer {till}", "Idempotency-Key": "b"},
    )
    assert_refused(other, 422, "invalid_input")
    assert (await balance(client, club, member_id))["reserved"] == 10


async def test_looking_at_a_hold_whose_time_ran_out_shows_it_expired_and_frees_its_points(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id, hold = await lapsed_hold(client, club, db, 100, 60)
    fetched = await client.get(f"/api/v1/redemptions/{hold['id']}", headers=club.headers("cashier"))
    assert fetched.status_code == 200
    assert (fetched.json()["status"], fetched.json()["committed_points"]) == ("expired", 0)
    assert fetched.json()["closed_at"] is not None
    async with db.transaction() as session:
        assert await release_lapsed(session) == 0  # already released by the look
    summary = await balance(client, club, member_id)
    assert (summary["available"], summary["reserved"]) == (100, 0)
    assert await ledger_problems(db) == []
