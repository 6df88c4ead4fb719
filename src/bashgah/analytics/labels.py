"""Words the reports show people, in Persian and English, and the RFM score → group map.

Pure functions and tables only (no I/O), unit-tested on their own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import jdatetime

from bashgah.core.jalali import MONTH_NAMES_FA, TEHRAN

#: Segment key → (English, Persian).
GROUPS: dict[str, tuple[str, str]] = {
    "champions": ("Champions", "قهرمانان"),
    "loyal": ("Loyal", "وفاداران"),
    "potential_loyalists": ("Potential loyalists", "وفاداران بالقوه"),
    "new": ("New customers", "مشتریان تازه"),
    "promising": ("Promising", "امیدوارکننده‌ها"),
    "need_attention": ("Need attention", "نیازمند توجه"),
    "about_to_sleep": ("About to sleep", "در آستانه خواب"),
    "at_risk": ("At risk", "در معرض خطر"),
    "cant_lose": ("Can't lose them", "نباید از دستشان داد"),
    "hibernating": ("Hibernating", "خواب‌رفته‌ها"),
    "lost": ("Lost", "از دست رفته‌ها"),
}


def _group_map() -> dict[tuple[int, int], str]:
    """The documented map from (R, FM) to a group, FM = (F + M) / 2 rounded half up.

    ======  ============  ===============  ===============  ===============  ============
     R       FM 1          FM 2             FM 3             FM 4             FM 5
    ======  ============  ===============  ===============  ===============  ============
     5       new           potential        potential        champions        champions
     4       promising     potential        potential        loyal            loyal
     3       about to      about to sleep   need attention   loyal            loyal
             sleep
     2       hibernating   hibernating      at risk          at risk          can't lose
     1       lost          lost             at risk          at risk          can't lose
    ======  ============  ===============  ===============  ===============  ============
    """
    rows = {
        5: ("new", "potential_loyalists", "potential_loyalists", "champions", "champions"),
        4: ("promising", "potential_loyalists", "potential_loyalists", "loyal", "loyal"),
        3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
        2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
        1: ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
    }
    return {(r, fm): group for r, groups in rows.items() for fm, group in enumerate(groups, start=1)}


GROUP_MAP = _group_map()


def rfm_group(r: int, f: int, m: int) -> str:
    """The group of a member with recency, frequency and monetary scores 1–5 (5 = best)."""
    return GROUP_MAP[(r, (f + m + 1) // 2)]


def group_label(key: str, lang: str) -> str:
    en, fa = GROUPS[key]
    return fa if lang == "fa" else en


#: Python's ``date.weekday()`` (Monday = 0) → names.
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_FA = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")


def weekday_label(sunday_first: int, lang: str) -> str:
    """Name of a weekday numbered as SQL's ``dow`` (0 = Sunday … 6 = Saturday)."""
    monday_first = (sunday_first + 6) % 7
    return (WEEKDAYS_FA if lang == "fa" else WEEKDAYS_EN)[monday_first]


JALALI_MONTHS = MONTH_NAMES_FA
GREGORIAN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_digits(text: str) -> str:
    return text.translate(_PERSIAN_DIGITS)


def month_starts(at: datetime, months: int, lang: str) -> list[tuple[datetime, str]]:
    """The ``months`` calendar months ending with the one ``at`` falls in (Tehran time), and the next.

    Jalali months for Persian, Gregorian for English. Returns ``months + 1`` pairs of (first instant
    of the month as aware UTC, label); the last pair is the start of the month after ``at``'s.
    """
    local = at.astimezone(TEHRAN).date()
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=local)
        index = j.year * 12 + j.month - 1
    else:
        index = local.year * 12 + local.month - 1
    result = []
    for i in range(index - months + 1, index + 2):
        year, month0 = divmod(i, 12)
        if lang == "fa":
            first = jdatetime.date(year, month0 + 1, 1).togregorian()
            label = persian_digits(f"{JALALI_MONTHS[month0]} {year}")
        else:
            first = date(year, month0 + 1, 1)
            label = f"{GREGORIAN_MONTHS[month0]} {year}"
        result.append((datetime.combine(first, time(0), tzinfo=TEHRAN).astimezone(UTC), label))
    return result


def day_label(at: datetime | None, lang: str) -> str | None:
    """A moment's Tehran date: Jalali ``1404/01/15`` in Persian, ISO ``2025-04-04`` in English."""
    if at is None:
        return None
    local = at.astimezone(TEHRAN).date()
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=local)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return local.isoformat()
