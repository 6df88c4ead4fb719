"""The member's statement (newest first, a page at a time, in Persian or English) and balance summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from bashgah.core.db import Database
from bashgah.models import PointLot
from scenarios import member_with
from support import Club, balance, bought, enrol, execute, give_points, refund, reserve, set_program


async def statement(
    client: httpx.AsyncClient, club: Club, member_id: int, lang: str = "fa", **params: Any
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/members/{member_id}/ledger",
        params=params,
        headers=club.headers("cashier", **{"Accept-Language": lang}),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def history_of_five(client: httpx.AsyncClient, club: Club) -> int:
    member = await enrol(client, club)
    await give_points(client, club, member["id"], 100)  # adjust +100
    first = await bought(client, club, member["id"], 500_000, external_id="F-1")  # earn +50
    await bought(
        client, club, member["id"], 100_000, redeem_points=30, external_id="F-2"
    )  # redeem −30, earn +7
    await refund(client, club, first["id"], amount_rials=500_000)  # earn_reversal −50
    member_id: int = member["id"]
    return member_id


async def test_the_statement_lists_every_movement_newest_first(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await history_of_five(client, club)
    page = await statement(client, club, member_id, "en")
    lines = [(line["code"], line["points"]) for line in page["items"]]
    assert lines == [("earn_reversal", -50), ("earn", 7), ("redeem", -30), ("earn", 50), ("adjust", 100)]
    assert [line["id"] for line in page["items"]] == sorted(
        (line["id"] for line in page["items"]), reverse=True
    )
    assert page["next_cursor"] is None
    assert sum(points for _, points in lines) == (await balance(client, club, member_id))["total"] == 77
    reasons = [line["reason"] for line in page["items"]]
    assert reasons == ["#F-1", "#F-2", "#F-2", "#F-1", "test setup"]
    assert page["items"][0]["ref_type"] == "refund"
    assert page["items"][1]["ref_type"] == "purchase"


async def test_the_statement_pages_with_cursor_and_next_cursor(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await history_of_five(client, club)
    everything = [line["id"] for line in (await statement(client, club, member_id))["items"]]
    seen: list[int] = []
    pages = 0
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = await statement(client, club, member_id, **params)
        pages += 1
        assert len(page["items"]) <= 2
        seen += [line["id"] for line in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert pages == 3
    assert seen == everything


async def test_the_old_before_still_pages_until_0_3(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await history_of_five(client, club)
    everything = [line["id"] for line in (await statement(client, club, member_id))["items"]]
    older = await statement(client, club, member_id, limit=2, before=everything[1])
    assert [line["id"] for line in older["items"]] == everything[2:4]


async def test_descriptions_follow_the_callers_language(client: httpx.AsyncClient, club: Club) -> None:
    member_id = await history_of_five(client, club)
    fa = [line["description"] for line in (await statement(client, club, member_id, "fa"))["items"]]
    en = [line["description"] for line in (await statement(client, club, member_id, "en"))["items"]]
    assert fa == ["کسر امتیاز بابت مرجوعی", "امتیاز خرید", "مصرف امتیاز", "امتیاز خرید", "اصلاح دستی"]
    assert en == [
        "Points taken back for a return",
        "Points earned on a purchase",
        "Points spent",
        "Points earned on a purchase",
        "Manual adjustment",
    ]


async def test_a_statement_of_a_new_member_is_empty(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    assert await statement(client, club, member["id"]) == {"items": [], "next_cursor": None}


async def test_the_balance_summary_shows_every_figure(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    await give_points(client, club, member["id"], 200)  # available now, expires in 12 months
    await set_program(client, club, pending_days=7)
    await bought(client, club, member["id"], 300_000, redeem_points=50)  # −50, +25 pending
    assert (await reserve(client, club, member["id"], 40)).status_code == 201
    soon = datetime.now(UTC) + timedelta(days=10)
    async with db.transaction() as session:
        first_lot = await session.scalar(select(PointLot.id).order_by(PointLot.id).limit(1))
    await execute(db, update(PointLot).where(PointLot.id == first_lot).values(expires_at=soon))

    summary = await balance(client, club, member["id"])
    assert summary["available"] == 200 - 50 - 40
    assert summary["pending"] == 25
    assert summary["reserved"] == 40
    assert summary["expiring_30d"] == 110
    assert abs(datetime.fromisoformat(summary["next_expiry_at"]) - soon) < timedelta(seconds=1)
    assert summary["total"] == 200 - 50 + 25
    assert (summary["lifetime_earned"], summary["lifetime_redeemed"]) == (25, 50)


async def test_points_expiring_after_30_days_are_not_counted_as_expiring(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 100)
    await execute(db, update(PointLot).values(expires_at=datetime.now(UTC) + timedelta(days=31)))
    assert (await balance(client, club, member["id"]))["expiring_30d"] == 0
    await execute(db, update(PointLot).values(expires_at=datetime.now(UTC) + timedelta(days=29)))
    assert (await balance(client, club, member["id"]))["expiring_30d"] == 100
