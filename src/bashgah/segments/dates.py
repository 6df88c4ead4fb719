"""Pure date rules of the segment conditions: ages as birth-date bounds, Jalali birthday months as
day-of-year patterns. Unit-tested without a database."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import jdatetime


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February becomes 28 February in a common year."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def birth_date_bounds(
    today: date, min_age: int | None, max_age: int | None
) -> tuple[date | None, date | None]:
    """(born after, born on or before) for an age between ``min_age`` and ``max_age`` years, inclusive.

    A person is ``n`` years old from their n-th birthday up to the day before the next one.
    """
    latest = years_before(today, min_age) if min_age is not None else None
    after = years_before(today, max_age + 1) if max_age is not None else None
    return after, latest


def _mmdd(d: date) -> int:
    return d.month * 100 + d.day


@lru_cache(maxsize=512)
def jalali_month_spans(year: int) -> tuple[tuple[int, int, int], ...]:
    """The Jalali months that meet Gregorian ``year``, as (Jalali month, first mmdd, last mmdd) inside it.

    mmdd is ``month * 100 + day`` of the Gregorian date. Dey is cut in two by 1 January.
    """
    spans: list[tuple[int, int, int]] = []
    start = date(year, 1, 1)
    month = jdatetime.date.fromgregorian(date=start).month
    day = start
    while day.year == year:
        following = day + timedelta(days=1)
        next_month = jdatetime.date.fromgregorian(date=following).month if following.year == year else None
        if next_month != month:
            spans.append((month, _mmdd(start), _mmdd(day)))
            start, month = following, next_month or month
        day = following
    return tuple(spans)


#: Birth years whose Jalali month boundaries are computed exactly; others use the commonest pattern.
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


@lru_cache(maxsize=64)
def month_patterns(
    months: tuple[int, ...],
) -> tuple[tuple[tuple[tuple[int, int], ...], tuple[int, ...]], ...]:
    """Gregorian years grouped by where the given Jalali months fall in them, commonest first.

    Each entry is ((first mmdd, last mmdd) ranges, years); the leap-year rules of both calendars move a
    boundary by a day, so there are only a few patterns.
    """
    wanted = set(months)
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for year in range(_FIRST_YEAR, _LAST_YEAR + 1):
        ranges = tuple((a, b) for m, a, b in jalali_month_spans(year) if m in wanted)
        groups.setdefault(ranges, []).append(year)
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))
    return tuple((ranges, tuple(years)) for ranges, years in ranked)
