"""Every report on small hand-made data with answers worked out by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from report_factories import Item, add_member, add_purchase, days_ago, report

from bashgah.core.db import Database
from support import Club, make_club


async def _five_customers(db: Database, club: Club) -> dict[str, int]:
    """Five members whose R, F and M ranks differ (worked out in test_rfm_scores_and_groups)."""
    t = club.tenant_id
    ids = {name: await add_member(db, t, name) for name in "ABCDE"}
    # A: one visit a day ago, 150,000 less a 50,000 return.
    await add_purchase(db, t, ids["A"], days_ago(1), 150_000, refunded=50_000)
    # B: five visits of 100,000, and a basket returned in full 5 days ago (not a visit).
    for d in (10, 20, 30, 40, 60):
        await add_purchase(db, t, ids["B"], days_ago(d), 100_000)
    await add_purchase(db, t, ids["B"], days_ago(5), 100_000, refunded=100_000)
    for d in (50, 80):
        await add_purchase(db, t, ids["C"], days_ago(d), 100_000)
    for d in (100, 130, 160, 190):
        await add_purchase(db, t, ids["D"], days_ago(d), 100_000)
    for d in (200, 220, 240, 260, 280):
        await add_purchase(db, t, ids["E"], days_ago(d), 120_000)
    # Another club's customer never shows.
    other = await make_club(db, "beta")
    stranger = await add_member(db, other.tenant_id, "X")
    await add_purchase(db, other.tenant_id, stranger, days_ago(3), 9_000_000)
    return ids


def _by_member(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {row["member_id"]: row for row in rows}


async def test_rfm_scores_and_groups(db: Database, club: Club) -> None:
    ids = await _five_customers(db, club)
    result = await report(db, club.tenant_id, "rfm")
    rows = _by_member(result.as_dicts("members"))
    got = {
        name: (
            rows[i]["recency_days"],
            rows[i]["frequency"],
            rows[i]["monetary_rials"],
            rows[i]["r"],
            rows[i]["f"],
            rows[i]["m"],
            rows[i]["group_key"],
        )
        for name, i in ids.items()
    }
    # R by last visit (latest = 5); F ties B and E at 5 visits: both rank 4 → score 4.
    assert got == {
        "A": (1, 1, 100_000, 5, 1, 1, "new"),
        "B": (10, 5, 500_000, 4, 4, 4, "loyal"),
        "C": (50, 2, 200_000, 3, 2, 2, "about_to_sleep"),
        "D": (100, 4, 400_000, 2, 3, 3, "at_risk"),
        "E": (200, 5, 600_000, 1, 4, 5, "cant_lose"),
    }
    groups = {row["group_key"]: row for row in result.as_dicts("groups")}
    assert groups["at_risk"]["members"] == 1
    assert groups["cant_lose"]["revenue_share"] == round(600_000 / 1_800_000, 4)
    assert groups["champions"]["members"] == 0
    assert sum(row["members"] for row in groups.values()) == 5


async def test_rfm_window_counts_only_recent_purchases_and_labels_in_persian(
    db: Database, club: Club
) -> None:
    ids = await _five_customers(db, club)
    # 100 days: D and E have no visit in the window (D's latest is exactly 100 days old: outside).
    result = await report(db, club.tenant_id, "rfm", lang="fa", window_days=100)
    rows = _by_member(result.as_dicts("members"))
    assert [rows[ids[n]]["frequency"] for n in "ABCDE"] == [1, 5, 2, 0, 0]
    assert [rows[ids[n]]["monetary_rials"] for n in "ABCDE"] == [100_000, 500_000, 200_000, 0, 0]
    # F ranks: D and E tie at 0 (rank 1, both score 1), then A, C, B.
    assert [rows[ids[n]]["f"] for n in "ABCDE"] == [3, 5, 4, 1, 1]
    assert rows[ids["E"]]["group"] == "از دست رفته‌ها"
    assert rows[ids["B"]]["group"] == "وفاداران"
    assert result.table("members").fields[-2].label("fa") == "گروه"


async def test_lrfm_scores_length_of_relationship(db: Database, club: Club) -> None:
    ids = await _five_customers(db, club)
    rows = _by_member((await report(db, club.tenant_id, "lrfm")).as_dicts("members"))
    # First to last visit: A 0, B 50, C 30, D 90, E 80 days.
    assert [rows[ids[n]]["length_days"] for n in "ABCDE"] == [0, 50, 30, 90, 80]
    assert [rows[ids[n]]["l"] for n in "ABCDE"] == [1, 3, 2, 5, 4]
    assert [rows[ids[n]]["group_key"] for n in "ABCDE"] == [
        "new",
        "loyal",
        "about_to_sleep",
        "at_risk",
        "cant_lose",
    ]


async def test_pareto_shares_of_revenue_and_profit(db: Database, club: Club) -> None:
    t = club.tenant_id
    ids = [await add_member(db, t, f"m{i}") for i in range(1, 11)]
    for i, member in enumerate(ids, start=1):
        items: list[Item] = []
        if i == 10:
            items = [Item("tea", 2, 500_000, unit_cost=300_000)]
        elif i == 1:
            items = [Item("bread", 1, 100_000, unit_cost=20_000)]
        elif i == 5:
            items = [Item("rice", 1, 500_000)]
        await add_purchase(db, t, member, days_ago(10), i * 100_000, items=items)
    # Outside the window, and a basket returned in full: neither counts.
    await add_purchase(db, t, ids[2], days_ago(400), 5_000_000)
    returner = await add_member(db, t, "r")
    await add_purchase(db, t, returner, days_ago(3), 700_000, refunded=700_000)

    result = await report(db, t, "pareto")
    summary = {row["metric_key"]: row["value"] for row in result.as_dicts("summary")}
    assert summary["buying_members"] == 10
    assert summary["revenue_rials"] == 5_500_000
    assert summary["top10_members"] == 1 and summary["top20_members"] == 2
    assert summary["top10_revenue_share"] == round(1_000_000 / 5_500_000, 4)
    assert summary["top20_revenue_share"] == round(1_900_000 / 5_500_000, 4)
    # Items: 1,000,000 + 100,000 costed of 1,600,000; profit 400,000 (m10) + 80,000 (m1).
    assert summary["cost_coverage"] == round(1_100_000 / 1_600_000, 4)
    assert summary["profit_rials"] == 480_000
    assert summary["top10_profit_share"] == round(400_000 / 480_000, 4)
    members = result.as_dicts("members")
    assert [row["member_id"] for row in members] == [ids[9], ids[8]]
    assert [row["top10"] for row in members] == [True, False]
    assert members[0]["profit_rials"] == 400_000 and members[1]["profit_rials"] is None
    assert members[1]["cumulative_share"] == round(1_900_000 / 5_500_000, 4)


async def test_pareto_of_a_club_without_sales_is_empty(db: Database, club: Club) -> None:
    result = await report(db, club.tenant_id, "pareto")
    summary = {row["metric_key"]: row["value"] for row in result.as_dicts("summary")}
    assert summary["buying_members"] == 0 and summary["top20_revenue_share"] is None
    assert "profit_rials" not in summary
    assert result.table("members").rows == []


async def test_habits_in_tehran_time(db: Database, club: Club) -> None:
    t = club.tenant_id
    regular = await add_member(db, t, "regular")
    # Monday 20:45 UTC is Tuesday 00:15 in Tehran (UTC+03:30); so is the next Monday's 20:50.
    await add_purchase(
        db,
        t,
        regular,
        datetime(2025, 12, 15, 20, 45, tzinfo=UTC),
        100_000,
        items=[Item("dairy", 2, 20_000), Item("bread", 1, 10_000)],
    )
    await add_purchase(
        db,
        t,
        regular,
        datetime(2025, 12, 22, 20, 50, tzinfo=UTC),
        200_000,
        items=[Item("bread", 3, 10_000)],
    )
    # Saturday 10:00 in Tehran; the tea went back, so it is nobody's favourite.
    await add_purchase(
        db,
        t,
        regular,
        datetime(2025, 12, 6, 6, 30, tzinfo=UTC),
        300_000,
        items=[Item("fruit", 2, 50_000), Item("tea", 5, 10_000, refunded_quantity=5)],
    )
    once = await add_member(db, t, "once")
    await add_purchase(db, t, once, datetime(2025, 12, 1, 9, 0, tzinfo=UTC), 80_000, refunded=20_000)

    rows = _by_member((await report(db, t, "habits")).as_dicts("members"))
    assert rows[regular]["purchases"] == 3
    assert rows[regular]["average_basket_rials"] == 200_000
    assert rows[regular]["usual_weekday"] == "Tuesday"
    assert rows[regular]["usual_hour"] == 0
    # 6 Dec 06:30 → 22 Dec 20:50 = 16 days 14 h 20 min, over two gaps.
    assert rows[regular]["mean_gap_days"] == round((16 + 14 / 24 + 20 / 1440) / 2, 1)
    assert rows[regular]["favourite_categories"] == "bread, dairy, fruit"
    assert rows[once]["mean_gap_days"] is None
    assert rows[once]["average_basket_rials"] == 60_000
    persian = _by_member((await report(db, t, "habits", lang="fa")).as_dicts("members"))
    assert persian[regular]["usual_weekday"] == "سه‌شنبه"
    assert persian[regular]["favourite_categories"] == "bread، dairy، fruit"


async def _rhythms(db: Database, club: Club) -> dict[str, int]:
    t = club.tenant_id
    ids = {name: await add_member(db, t, name) for name in ("every10", "recent", "once", "every30")}
    for day in (1, 11, 21):  # every 10 days, last 41 days before AS_OF
        await add_purchase(db, t, ids["every10"], datetime(2025, 11, day, tzinfo=UTC), 100_000)
    for day in (1, 11, 21):  # every 10 days, last 11 days before AS_OF
        await add_purchase(db, t, ids["recent"], datetime(2025, 12, day, tzinfo=UTC), 100_000)
    await add_purchase(db, t, ids["once"], datetime(2024, 1, 1, tzinfo=UTC), 100_000)
    for month, day in ((10, 1), (10, 31)):  # a 30-day rhythm, last 62 days before AS_OF
        await add_purchase(db, t, ids["every30"], datetime(2025, month, day, tzinfo=UTC), 50_000)
    return ids


async def test_churn_risk_is_overdue_against_own_rhythm(db: Database, club: Club) -> None:
    ids = await _rhythms(db, club)
    rows = (await report(db, club.tenant_id, "churn")).as_dicts("members")
    assert [row["member_id"] for row in rows] == [ids["every10"], ids["every30"]]
    assert [row["days_since"] for row in rows] == [41, 62]
    assert [row["mean_gap_days"] for row in rows] == [10.0, 30.0]
    assert [row["overdue_ratio"] for row in rows] == [4.1, round(62 / 30, 2)]
    assert rows[0]["last_purchase"] == "2025-11-21"
    # k = 3: 62 days is not overdue for a 30-day rhythm (90), 41 still is for a 10-day one.
    strict = (await report(db, club.tenant_id, "churn", k=3.0)).as_dicts("members")
    assert [row["member_id"] for row in strict] == [ids["every10"]]
    persian = (await report(db, club.tenant_id, "churn", lang="fa")).as_dicts("members")
    assert persian[0]["last_purchase"] == "1404/08/30"


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ["January 2026", "February 2026", "March 2026"]),
        ("fa", ["دی ۱۴۰۴", "بهمن ۱۴۰۴", "اسفند ۱۴۰۴"]),
    ],
)
async def test_cohorts_retention_by_enrolment_month(
    db: Database, club: Club, lang: str, labels: list[str]
) -> None:
    t = club.tenant_id
    # The same members fall in the same months in both calendars here (Dey 1404 starts 22 Dec 2025).
    a = await add_member(db, t, "a", enrolled=datetime(2026, 1, 5, tzinfo=UTC))
    b = await add_member(db, t, "b", enrolled=datetime(2026, 1, 5, 12, tzinfo=UTC))
    c = await add_member(db, t, "c", enrolled=datetime(2026, 2, 10, tzinfo=UTC))
    # 31 Jan 21:00 UTC is 1 Feb 00:30 in Tehran: a February (Bahman) member.
    e = await add_member(db, t, "e", enrolled=datetime(2026, 1, 31, 21, tzinfo=UTC))
    before = await add_member(db, t, "d", enrolled=datetime(2025, 12, 20, tzinfo=UTC))
    await add_purchase(db, t, a, datetime(2026, 1, 6, tzinfo=UTC), 10_000)
    await add_purchase(db, t, a, datetime(2026, 1, 7, tzinfo=UTC), 10_000)
    await add_purchase(db, t, a, datetime(2026, 2, 3, tzinfo=UTC), 10_000)
    await add_purchase(db, t, b, datetime(2026, 3, 1, tzinfo=UTC), 10_000)
    await add_purchase(db, t, c, datetime(2026, 2, 11, tzinfo=UTC), 10_000)
    await add_purchase(db, t, e, datetime(2026, 3, 2, tzinfo=UTC), 10_000)
    await add_purchase(db, t, before, datetime(2026, 3, 2, tzinfo=UTC), 10_000)

    result = await report(db, t, "cohorts", lang=lang, as_of=datetime(2026, 3, 15, tzinfo=UTC), months=3)
    rows = result.table("retention").rows
    assert rows == [
        [labels[0], 2, 0.5, 0.5, 0.5],
        [labels[1], 2, 0.5, 0.5, None],
        [labels[2], 0, None, None, None],
    ]
    assert result.table("retention").fields[3].label(lang) == ("ماه ۱" if lang == "fa" else "month 1")


async def test_scores_are_whole_quintiles_of_the_rank(db: Database, club: Club) -> None:
    t = club.tenant_id
    ids = [await add_member(db, t, f"m{i}") for i in range(1, 8)]
    for i, member in enumerate(ids, start=1):
        await add_purchase(db, t, member, days_ago(30 - i), i * 10_000)
    rows = _by_member((await report(db, t, "rfm")).as_dicts("members"))
    # Seven members: score = 1 + 5·(rank − 1) // 7 → 1, 1, 2, 3, 3, 4, 5.
    assert [rows[i]["m"] for i in ids] == [1, 1, 2, 3, 3, 4, 5]
    assert [rows[i]["r"] for i in ids] == [1, 1, 2, 3, 3, 4, 5]
    assert all(type(rows[i][key]) is int for i in ids for key in ("r", "f", "m", "monetary_rials"))
