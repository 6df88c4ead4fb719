"""A sale's points are dated from the sale, whichever way it reaches the ledger: a back-dated sale sent
through the API expires on the same day as the same sale imported from a file; a sale far in the future
is refused; a sale so old that its points have already expired records them as expired at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jdatetime
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN, add_months, utcnow
from bashgah.importing.columns import PURCHASE_COLUMNS
from bashgah.importing.purchases import import_purchases, read_purchases
from bashgah.importing.sources import from_records
from bashgah.ledger.tasks import expire_points
from bashgah.models import Account, PointLot, Purchase
from support import Club, assert_refused, balance, bought, enrol, ledger_problems, set_program


async def lots_of(db: Database, member_id: int) -> list[tuple[datetime, datetime | None, int]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(PointLot.available_at, PointLot.expires_at, PointLot.amount)
            .join(Account, Account.id == PointLot.account_id)
            .where(Account.member_id == member_id, Account.asset == "points")
            .order_by(PointLot.id)
        )
        return [(a, e, n) for a, e, n in rows]


async def imported(db: Database, club: Club, mobile: str, at: datetime, total: int) -> None:
    rows = [
        {
            "mobile": mobile,
            "branch": "main",
            "external_id": "IMP-1",
            "total_rials": str(total),
            "occurred_at": at.isoformat(),
        }
    ]
    async with db.transaction() as session:
        await import_purchases(session, club.tenant_id, read_purchases(from_records(rows, PURCHASE_COLUMNS)))


async def test_a_back_dated_sale_through_the_api_is_dated_like_the_same_sale_imported(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, pending_days=7, expiry_mode="months", expiry_months=12)
    sold_at = (utcnow() - timedelta(days=200)).replace(microsecond=0)
    by_api = await enrol(client, club, "09120000001")
    from_file = await enrol(client, club, "09120000002")

    sale = await bought(client, club, by_api["id"], 500_000, occurred_at=sold_at.isoformat())
    await imported(db, club, "09120000002", sold_at, 500_000)

    expected = (sold_at + timedelta(days=7), add_months(sold_at, 12), 50)
    assert await lots_of(db, by_api["id"]) == [expected]
    assert await lots_of(db, from_file["id"]) == [expected]
    # The return window ended long ago: the points are spendable at once, on the receipt already.
    assert datetime.fromisoformat(sale["points_available_at"]) == sold_at + timedelta(days=7)
    assert (sale["balance"]["available"], sale["balance"]["pending"]) == (50, 0)
    assert (await balance(client, club, by_api["id"]))["available"] == 50
    assert await ledger_problems(db) == []


async def test_a_sale_so_old_that_its_points_have_expired_records_them_as_expired_at_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, pending_days=7, expiry_mode="months", expiry_months=12)
    member = await enrol(client, club)
    sold_at = utcnow() - timedelta(days=400)

    sale = await bought(client, club, member["id"], 300_000, occurred_at=sold_at.isoformat())

    # The purchase and its points are history (they count for tiers and reports), but nothing is spendable.
    assert sale["points_earned"] == 30
    assert sale["balance"] == {**sale["balance"], "available": 0, "pending": 0, "total": 0}
    async with db.transaction() as session:
        assert await expire_points(session) == 30
    after = await balance(client, club, member["id"])
    assert (after["available"], after["total"], after["lifetime_earned"]) == (0, 0, 30)
    assert await ledger_problems(db) == []


async def test_a_sale_dated_in_the_future_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()

    response = await client.post(
        "/api/v1/purchases",
        json={"member": {"id": member["id"]}, "branch": "main", "external_id": "F-1", "total_rials": 500_000}
        | {"occurred_at": tomorrow},
        headers=club.headers(**{"Idempotency-Key": "future-1", "Accept-Language": "en"}),
    )

    assert_refused(response, 422, "invalid_input")
    assert response.json()["error"]["message"] == (
        "Invalid value for occurred_at: the sale's time is in the future"
    )
    persian = await client.post(
        "/api/v1/purchases",
        json={"member": {"id": member["id"]}, "branch": "main", "external_id": "F-1", "total_rials": 500_000}
        | {"occurred_at": tomorrow},
        headers=club.headers(**{"Idempotency-Key": "future-2", "Accept-Language": "fa"}),
    )
    assert persian.status_code == 422
    assert "آینده" in persian.json()["error"]["message"]
    async with db.transaction() as session:
        assert (await session.scalars(select(Purchase.id))).all() == []
    assert (await balance(client, club, member["id"]))["total"] == 0


async def test_a_till_whose_clock_runs_a_few_minutes_fast_records_the_sale_as_now(
    client: httpx.AsyncClient, club: Club
) -> None:
    await set_program(client, club, pending_days=0)
    member = await enrol(client, club)
    before = utcnow()

    sale = await bought(
        client, club, member["id"], 500_000, occurred_at=(before + timedelta(minutes=3)).isoformat()
    )

    assert before <= datetime.fromisoformat(sale["occurred_at"]) <= utcnow()
    assert sale["balance"]["available"] == 50


def _tehran(year: int, month: int, day: int) -> datetime:
    return jdatetime.datetime(year, month, day, 18).togregorian().replace(tzinfo=TEHRAN).astimezone(UTC)


async def test_points_earned_in_the_last_days_of_esfand_can_be_spent_in_the_new_year(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, pending_days=14, expiry_mode="jalali_year_end")
    member = await enrol(client, club)
    esfand_25 = _tehran(1404, 12, 25)  # 16 March 2026: available on 30 March, after Nowruz
    nowruz_1406 = jdatetime.datetime(1406, 1, 1).togregorian().replace(tzinfo=TEHRAN).astimezone(UTC)
    if utcnow() >= nowruz_1406 - timedelta(days=1):  # the scenario needs to run before that new year
        esfand_25 = _tehran(jdatetime.date.today().year - 1, 12, 25)

    sale = await bought(client, club, member["id"], 400_000, occurred_at=esfand_25.isoformat())

    ((available_at, expires_at, points),) = await lots_of(db, member["id"])
    assert points == 40
    assert expires_at is not None and expires_at - available_at >= timedelta(days=14)
    assert sale["balance"]["available"] == 40
    spent = await bought(client, club, member["id"], 100_000, redeem_points=40)
    assert (spent["points_redeemed"], spent["balance"]["available"]) == (40, 0)
    assert await ledger_problems(db) == []
