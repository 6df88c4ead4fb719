"""The pure parts of the reports: the score → group map, weekday names, calendar months in Tehran."""

from __future__ import annotations

from datetime import UTC, datetime

from bashgah.analytics.labels import GROUP_MAP, GROUPS, day_label, month_starts, rfm_group, weekday_label


def test_every_pair_of_scores_has_a_group_and_every_group_is_reachable() -> None:
    assert len(GROUP_MAP) == 25
    assert set(GROUP_MAP.values()) == set(GROUPS)


def test_groups_follow_the_documented_map() -> None:
    assert rfm_group(5, 5, 5) == "champions"
    assert rfm_group(5, 4, 3) == "champions"  # FM = (4 + 3) / 2 rounded up = 4
    assert rfm_group(5, 1, 1) == "new"
    assert rfm_group(4, 1, 1) == "promising"
    assert rfm_group(4, 2, 3) == "potential_loyalists"
    assert rfm_group(3, 3, 3) == "need_attention"
    assert rfm_group(3, 5, 4) == "loyal"
    assert rfm_group(3, 1, 2) == "about_to_sleep"
    assert rfm_group(2, 3, 4) == "at_risk"
    assert rfm_group(1, 5, 5) == "cant_lose"
    assert rfm_group(2, 1, 2) == "hibernating"
    assert rfm_group(1, 2, 1) == "lost"


def test_persian_names() -> None:
    assert GROUPS["champions"][1] == "قهرمانان"
    assert GROUPS["loyal"][1] == "وفاداران"
    assert len({fa for _, fa in GROUPS.values()}) == len(GROUPS)


def test_weekdays_are_numbered_from_sunday_as_sql_does() -> None:
    assert weekday_label(0, "en") == "Sunday" and weekday_label(6, "en") == "Saturday"
    assert weekday_label(6, "fa") == "شنبه" and weekday_label(5, "fa") == "جمعه"


def test_months_start_at_midnight_in_tehran() -> None:
    # 20 March 2026 21:00 UTC is 00:30 on 21 March in Tehran: 1 Farvardin 1405.
    at = datetime(2026, 3, 20, 21, 0, tzinfo=UTC)
    jalali = month_starts(at, 2, "fa")
    assert [label for _, label in jalali] == ["اسفند ۱۴۰۴", "فروردین ۱۴۰۵", "اردیبهشت ۱۴۰۵"]
    assert jalali[1][0] == datetime(2026, 3, 20, 20, 30, tzinfo=UTC)
    gregorian = month_starts(at, 1, "en")
    assert [label for _, label in gregorian] == ["March 2026", "April 2026"]
    assert gregorian[0][0] == datetime(2026, 2, 28, 20, 30, tzinfo=UTC)


def test_day_labels() -> None:
    at = datetime(2026, 3, 20, 21, 0, tzinfo=UTC)
    assert day_label(at, "fa") == "1405/01/01"
    assert day_label(at, "en") == "2026-03-21"
    assert day_label(None, "en") is None
