"""The ``clv`` report feeds ``analytics.clv`` the right rows: visits net of returns, one per Tehran day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from report_factories import AS_OF, add_member, add_purchase, report

from bashgah.analytics.clv import clv_table
from bashgah.core.db import Database
from support import Club, assert_refused, make_club

#: member → [(moment, total, refunded)]; the amounts per Tehran day are what the models should see.
HISTORY: dict[str, list[tuple[datetime, int, int]]] = {
    "a": [
        (datetime(2025, 3, 1, 8, tzinfo=UTC), 100_000, 0),
        (datetime(2025, 6, 1, 8, tzinfo=UTC), 150_000, 0),
        (datetime(2025, 9, 1, 8, tzinfo=UTC), 120_000, 20_000),
    ],
    # 20:40 and 21:10 UTC on 1 May are 00:10 and 00:40 on 2 May in Tehran: one purchase day.
    "b": [
        (datetime(2025, 5, 1, 20, 40, tzinfo=UTC), 50_000, 0),
        (datetime(2025, 5, 1, 21, 10, tzinfo=UTC), 30_000, 0),
        (datetime(2025, 7, 1, 8, tzinfo=UTC), 90_000, 0),
        (datetime(2025, 12, 1, 8, tzinfo=UTC), 60_000, 0),
    ],
    "c": [(datetime(2025, 2, 1, 8, tzinfo=UTC), 400_000, 0)],
    "d": [
        (datetime(2025, 1, 10, 8, tzinfo=UTC), 70_000, 0),
        (datetime(2025, 2, 10, 8, tzinfo=UTC), 80_000, 0),
        (datetime(2025, 3, 10, 8, tzinfo=UTC), 75_000, 0),
        (datetime(2025, 4, 10, 8, tzinfo=UTC), 85_000, 0),
    ],
    "e": [
        (datetime(2025, 8, 1, 8, tzinfo=UTC), 200_000, 0),
        (datetime(2025, 11, 20, 8, tzinfo=UTC), 250_000, 0),
        # returned in full: not a purchase day
        (datetime(2025, 12, 20, 8, tzinfo=UTC), 300_000, 300_000),
    ],
    "f": [
        (datetime(2025, 4, 5, 8, tzinfo=UTC), 60_000, 0),
        (datetime(2025, 10, 5, 8, tzinfo=UTC), 65_000, 0),
    ],
}
EXPECTED_ROWS = {
    "a": [(date(2025, 3, 1), 100_000), (date(2025, 6, 1), 150_000), (date(2025, 9, 1), 100_000)],
    "b": [(date(2025, 5, 2), 80_000), (date(2025, 7, 1), 90_000), (date(2025, 12, 1), 60_000)],
    "c": [(date(2025, 2, 1), 400_000)],
    "d": [
        (date(2025, 1, 10), 70_000),
        (date(2025, 2, 10), 80_000),
        (date(2025, 3, 10), 75_000),
        (date(2025, 4, 10), 85_000),
    ],
    "e": [(date(2025, 8, 1), 200_000), (date(2025, 11, 20), 250_000)],
    "f": [(date(2025, 4, 5), 60_000), (date(2025, 10, 5), 65_000)],
}


async def test_clv_report_scores_what_the_models_would_on_the_same_days(db: Database, club: Club) -> None:
    ids: dict[str, int] = {}
    for name, purchases in HISTORY.items():
        ids[name] = await add_member(db, club.tenant_id, name)
        for at, total, refunded in purchases:
            await add_purchase(db, club.tenant_id, ids[name], at, total, refunded=refunded)
    other = await make_club(db, "beta")
    stranger = await add_member(db, other.tenant_id, "x")
    await add_purchase(db, other.tenant_id, stranger, datetime(2025, 5, 5, tzinfo=UTC), 9_000_000)

    expected = clv_table(
        [(ids[name], day, amount) for name, days in EXPECTED_ROWS.items() for day, amount in days], AS_OF
    )
    rows = {row["member_id"]: row for row in (await report(db, club.tenant_id, "clv")).as_dicts("members")}
    assert set(rows) == set(ids.values())
    for want in expected:
        got = rows[want["member_id"]]
        assert got["repeat_purchases"] == want["frequency"]
        assert got["expected_value_365d_rials"] == want["expected_value_365d_rials"]
        assert got["probability_alive"] == round(want["probability_alive"], 4)
        assert got["expected_purchases_365d"] == round(want["expected_purchases_365d"], 3)
    assert rows[ids["b"]]["repeat_purchases"] == 2  # 2 May, 1 Jul, 1 Dec: two repeats


async def test_clv_without_repeat_buyers_is_a_clear_error(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await add_member(db, club.tenant_id, "once")
    await add_purchase(db, club.tenant_id, member, datetime(2025, 5, 5, tzinfo=UTC), 100_000)
    response = await client.get("/api/v1/reports/clv", headers=club.headers(**{"Accept-Language": "en"}))
    assert_refused(response, 409, "not_enough_data_for_clv")
