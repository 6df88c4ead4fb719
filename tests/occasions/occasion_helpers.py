"""Occasion rules through the API, a moment in Tehran on a Jalali day, and a member's occasion lines."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import httpx
import jdatetime

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN
from bashgah.jobs import registry
from scenarios import BRONZE, ladder, level
from support import Club

LADDER = ladder(BRONZE, level("gold", "طلایی", "Gold", 50_000_000, birthday_gift_points=500))


def tehran(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """``hour`` o'clock in Tehran on the Jalali day ``year/month/day``, as an aware UTC datetime."""
    gregorian = jdatetime.date(year, month, day).togregorian()
    return datetime.combine(gregorian, time(hour), tzinfo=TEHRAN).astimezone(UTC)


async def new_rule(client: httpx.AsyncClient, club: Club, kind: str, **fields: Any) -> dict[str, Any]:
    body = {"kind": kind, "name_fa": f"هدیهٔ {kind}", "name_en": f"{kind} gift", **fields}
    response = await client.post("/api/v1/occasions", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text
    rule: dict[str, Any] = response.json()
    return rule


async def run_occasions(db: Database, now: datetime) -> int:
    result = await registry.run(db, "occasions", now)
    assert not result.failed, result.errors
    return result.done


async def occasion_lines(
    client: httpx.AsyncClient, club: Club, member_id: int, lang: str = "fa"
) -> list[Any]:
    response = await client.get(
        f"/api/v1/members/{member_id}/ledger", headers=club.headers(**{"Accept-Language": lang})
    )
    assert response.status_code == 200, response.text
    return [line for line in response.json()["items"] if line["code"] == "occasion"]


async def gifted_points(client: httpx.AsyncClient, club: Club, member_id: int) -> list[int]:
    return [line["points"] for line in await occasion_lines(client, club, member_id)]
