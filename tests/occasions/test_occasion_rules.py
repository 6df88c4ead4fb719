"""When an occasion falls: pure Jalali rules, no database."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime

from bashgah.occasions.rules import MemberDates, due_year, gregorian_days_around, occasion_day


def g(year: int, month: int, day: int) -> date:
    return jdatetime.date(year, month, day).togregorian()


def test_a_30_esfand_birthday_falls_on_29_esfand_in_a_common_year_and_on_30_in_a_leap_year() -> None:
    born = g(1399, 12, 30)  # 1399 is a leap year
    assert occasion_day("birthday", 1404, MemberDates(birth=born)) == g(1404, 12, 29)
    assert occasion_day("birthday", 1403, MemberDates(birth=born)) == g(1403, 12, 30)


def test_the_enrolment_day_itself_is_not_an_anniversary_but_a_year_later_is() -> None:
    enrolled = g(1404, 9, 3)
    dates = MemberDates(enrolled=enrolled)
    assert due_year("membership_anniversary", enrolled, 0, dates) is None
    assert due_year("membership_anniversary", g(1405, 9, 3), 0, dates) == 1405


def test_an_early_gift_may_reach_into_the_next_jalali_year() -> None:
    dates = MemberDates(birth=g(1370, 1, 2))
    assert due_year("birthday", g(1404, 12, 28), 3, dates) == 1405
    assert due_year("birthday", g(1404, 12, 27), 3, dates) is None
    assert due_year("birthday", g(1405, 1, 3), 3, dates) is None


def test_nowruz_and_yalda_fall_on_1_farvardin_and_30_azar() -> None:
    assert due_year("nowruz", g(1405, 1, 1), 0, MemberDates()) == 1405
    assert due_year("yalda", g(1405, 9, 30), 0, MemberDates()) == 1405
    assert due_year("yalda", g(1405, 9, 29), 0, MemberDates()) is None


def test_the_sql_prefilter_keeps_every_gregorian_day_whose_jalali_anniversary_can_fall_today() -> None:
    todays = [
        g(1404, 12, 29),
        g(1405, 1, 1),
        g(1403, 12, 30),
        g(1404, 12, 10),
        g(1405, 9, 30),
        g(1405, 5, 12),
    ]
    births = [g(1360, 1, 1) + timedelta(days=n) for n in range(0, 44 * 366)]
    for today in todays:
        for days_early in (0, 3):
            kept = gregorian_days_around(today, days_early)
            due = [
                b for b in births if due_year("birthday", today, days_early, MemberDates(birth=b)) is not None
            ]
            assert due, today
            assert all((b.month, b.day) in kept for b in due), today
