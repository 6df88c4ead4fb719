"""A member is told their points are about to expire: one notice per expiring day, recorded once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN, to_jalali_str, utcnow
from bashgah.jobs import registry
from bashgah.models import PointLot
from scenarios import member_with
from support import Club, assert_refused, execute, give_points, set_program


async def notices(client: httpx.AsyncClient, club: Club, member_id: int) -> list[dict[str, object]]:
    response = await client.get(f"/api/v1/members/{member_id}/notices", headers=club.headers("manager"))
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["items"]
    return found


async def test_the_expiring_soon_notice_is_recorded_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 120)
    await give_points(client, club, member["id"], 30)
    now = utcnow()
    expires = now + timedelta(days=10)
    await execute(db, update(PointLot).values(expires_at=expires))  # both lots expire on the same day

    assert (await registry.run(db, "notices", now)).done == 1
    assert (await registry.run(db, "notices", now + timedelta(hours=1))).done == 0

    [notice] = await notices(client, club, member["id"])
    day = expires.astimezone(TEHRAN).date()
    assert notice["kind"] == "points_expiring"
    assert notice["payload"] == {
        "points": 150,
        "expires_on": day.isoformat(),
        "expires_on_jalali": to_jalali_str(day),
    }
    assert notice["sent_at"] is None
    unsent = await client.get("/api/v1/notices?unsent=true", headers=club.headers("manager"))
    assert [n["id"] for n in unsent.json()["items"]] == [notice["id"]]


async def test_points_expiring_later_than_the_notice_days_wait_and_a_club_may_turn_notices_off(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await member_with(client, club, 50)
    now = utcnow()
    await execute(db, update(PointLot).values(expires_at=now + timedelta(days=20)))

    assert (await registry.run(db, "notices", now)).done == 0  # 14 days ahead by default
    assert (await set_program(client, club, notify_expiring_days=30))["notify_expiring_days"] == 30
    await set_program(client, club, notify_expiring_days=0)
    assert (await registry.run(db, "notices", now)).done == 0
    await set_program(client, club, notify_expiring_days=30)
    assert (await registry.run(db, "notices", now)).done == 1


async def test_cashiers_do_not_read_notices(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await client.get(f"/api/v1/members/{member['id']}/notices", headers=club.headers("cashier"))
    assert_refused(response, 403, "forbidden")
