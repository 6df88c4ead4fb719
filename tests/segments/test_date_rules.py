"""The pure date rules behind the age and birthday-month conditions."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
import pytest

from bashgah.segments.dates import birth_date_bounds, jalali_month_spans, month_patterns, years_before


def test_years_before_moves_29_february_to_28_february_in_a_common_year() -> None:
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)
    assert years_before(date(2026, 11, 1), 21) == date(2005, 11, 1)


def test_birth_date_bounds_for_an_age_range() -> None:
    # Aged 21 to 30 on 1 November 2026: born after 1 Nov 1995, on or before 1 Nov 2005.
    assert birth_date_bounds(date(2026, 11, 1), 21, 30) == (date(1995, 11, 1), date(2005, 11, 1))
    assert birth_date_bounds(date(2026, 11, 1), None, 0) == (date(2025, 11, 1), None)


@pytest.mark.parametrize("year", [1900, 1999, 2000, 2001, 2024, 2025, 2100])
def test_jalali_month_spans_cover_the_year_day_by_day(year: int) -> None:
    spans = jalali_month_spans(year)
    day = date(year, 1, 1)
    for month, first, last in spans:
        assert first == day.month * 100 + day.day
        while day.year == year and day.month * 100 + day.day <= last:
            assert jdatetime.date.fromgregorian(date=day).month == month
            day += timedelta(days=1)
    assert day == date(year + 1, 1, 1)
    # Dey is split by 1 January; every other month appears once.
    assert [m for m, _, _ in spans] == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_a_jalali_month_falls_on_few_gregorian_patterns_commonest_first() -> None:
    patterns = month_patterns((1,))
    assert 1 < len(patterns) <= 8
    sizes = [len(years) for _, years in patterns]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 201
    # Farvardin 1379 began on 20 March 2000; Farvardin 1380 on 21 March 2001.
    starts = {year: ranges[0][0] for ranges, years in patterns for year in years}
    assert (starts[2000], starts[2001]) == (320, 321)
