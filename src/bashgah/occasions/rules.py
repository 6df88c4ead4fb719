"""When an occasion falls, as pure functions of Jalali dates (no I/O; unit-tested on their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import jdatetime

OccasionKind = Literal["birthday", "membership_anniversary", "wedding_anniversary", "nowruz", "yalda"]
KINDS: tuple[str, ...] = ("birthday", "membership_anniversary", "wedding_anniversary", "nowruz", "yalda")
#: Kinds tied to a date of the member's own; the others fall on one day for everybody.
PERSONAL = ("birthday", "membership_anniversary", "wedding_anniversary")


@dataclass(frozen=True)
class MemberDates:
    birth: date | None = None
    wedding: date | None = None
    #: The Tehran day the member enrolled.
    enrolled: date | None = None


def _is_leap(jalali_year: int) -> bool:
    return bool(jdatetime.date(jalali_year, 1, 1).isleap())


def anniversary_in(jalali_year: int, since: date) -> date:
    """The Gregorian day in ``jalali_year`` with the Jalali month and day of ``since``; 30 Esfand is
    kept on 29 Esfand in a common year."""
    j = jdatetime.date.fromgregorian(date=since)
    day = j.day
    if j.month == 12 and day == 30 and not _is_leap(jalali_year):
        day = 29
    return jdatetime.date(jalali_year, j.month, day).togregorian()


def occasion_day(kind: str, jalali_year: int, dates: MemberDates) -> date | None:
    """The day ``kind`` falls on for a member in ``jalali_year``, or None when it does not that year."""
    if kind == "nowruz":
        return jdatetime.date(jalali_year, 1, 1).togregorian()
    if kind == "yalda":
        return jdatetime.date(jalali_year, 9, 30).togregorian()
    since = {"birthday": dates.birth, "wedding_anniversary": dates.wedding}.get(kind, dates.enrolled)
    if since is None:
        return None
    day = anniversary_in(jalali_year, since)
    if day <= since:
        return None  # not before it happened, and not the enrolment (or wedding) day itself
    return day


def jalali_year_of(day: date) -> int:
    return int(jdatetime.date.fromgregorian(date=day).year)


def due_year(kind: str, today: date, days_early: int, dates: MemberDates) -> int | None:
    """The Jalali year whose occasion may be celebrated ``today`` (from ``days_early`` days before the
    day through the day itself), or None. Early gifts can reach into the next Jalali year."""
    year = jalali_year_of(today)
    for candidate in (year, year + 1):
        day = occasion_day(kind, candidate, dates)
        if day is not None and day - timedelta(days=days_early) <= today <= day:
            return candidate
    return None


def gregorian_days_around(today: date, days_early: int, slack: int = 2) -> set[tuple[int, int]]:
    """(month, day) pairs of Gregorian dates whose Jalali anniversary can fall in today's window.

    A Jalali month/day lands on a Gregorian day that moves by a day or so between years (and 30 Esfand
    moves to 29), so the pre-filter in SQL takes a few days of slack; :func:`due_year` decides.
    """
    first = today - timedelta(days=slack)
    last = today + timedelta(days=days_early + slack)
    pairs = set()
    day = first
    while day <= last:
        pairs.add((day.month, day.day))
        day += timedelta(days=1)
    if (2, 28) in pairs:
        pairs.add((2, 29))
    return pairs
