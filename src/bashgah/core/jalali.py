"""Jalali (Solar Hijri) calendar helpers and time utilities, in Tehran time.

Stored instants are aware UTC datetimes; the Jalali calendar is only used for input, display and
calendar rules such as "points expire at the end of the Jalali year".
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from bashgah.core import clock
from bashgah.core.errors import InvalidDate
from bashgah.core.normalize import to_latin_digits

__all__ = [
    "TEHRAN",
    "add_months",
    "end_of_jalali_year",
    "parse_birth_date",
    "parse_past_date",
    "to_jalali_str",
    "utcnow",
]

TEHRAN = ZoneInfo("Asia/Tehran")

#: The Jalali months in Persian, Farvardin first.
MONTH_NAMES_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)

# Years below this are read as Jalali (Jalali years are ~621 behind Gregorian ones).
JALALI_YEAR_LIMIT = 1700
MIN_BIRTH_DATE = date(1900, 1, 1)

_DATE_RE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime (see :mod:`bashgah.core.clock`)."""
    return clock.utcnow()


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("an aware datetime is required")


def parse_birth_date(raw: str, *, today: date | None = None) -> date:
    """Parse a birth date written as Gregorian ``1991-08-03`` or Jalali ``1370/05/12`` / ``1370-05-12``.

    Digits may be Persian, Arabic-Indic or ASCII. A year below 1700 means Jalali. Impossible dates,
    dates after ``today`` (default: today in Tehran) and dates before 1900 raise :class:`InvalidDate`.
    """
    return parse_past_date(raw, "birth_date", "تاریخ تولد", today=today)


def parse_past_date(raw: str, field: str, field_fa: str, *, today: date | None = None) -> date:
    """:func:`parse_birth_date` for any day in a person's past (a wedding date…); errors name ``field``."""
    result = parse_day(raw, field, field_fa)
    limit = today if today is not None else datetime.now(TEHRAN).date()
    if result > limit:
        raise InvalidDate(field, field_fa, "the date is in the future", "تاریخ در آینده است")
    if result < MIN_BIRTH_DATE:
        raise InvalidDate(
            field, field_fa, "the date is before 1900", "تاریخ پیش از ۱۱ دی ۱۲۷۸ (۱ ژانویهٔ ۱۹۰۰) است"
        )
    return result


def to_jalali_str(d: date) -> str:
    """Jalali form ``YYYY/MM/DD`` of a Gregorian date, in ASCII digits."""
    j = jdatetime.date.fromgregorian(date=d)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def end_of_jalali_year(at: datetime) -> datetime:
    """First instant of 1 Farvardin of the next Jalali year (Tehran time), as an aware UTC datetime.

    The Jalali year is the one ``at`` falls in when seen from Tehran.
    """
    _require_aware(at)
    local_day = at.astimezone(TEHRAN).date()
    next_nowruz = jdatetime.date(jdatetime.date.fromgregorian(date=local_day).year + 1, 1, 1).togregorian()
    return datetime.combine(next_nowruz, time(0), tzinfo=TEHRAN).astimezone(UTC)


def add_months(at: datetime, months: int) -> datetime:
    """``at`` moved by ``months`` Gregorian months (may be negative), day clamped to the month's length.

    The wall-clock time and ``tzinfo`` are kept.
    """
    index = at.year * 12 + (at.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


# --- a day typed by a person, as an instant -------------------------------------------------------


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in Tehran, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=TEHRAN).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Tehran, as an aware UTC datetime.

    A date given where a moment is meant ("as of 1997-09-30", "valid until 1405/12/29") means the whole of
    that day as people in Tehran live it — every purchase up to 23:59:59 Tehran time, never midnight UTC,
    which is 03:30 in Tehran and would cut the day short.
    """
    return start_of_day(day + timedelta(days=1)) - timedelta(microseconds=1)


def parse_day(raw: str, field: str = "date", field_fa: str = "تاریخ") -> date:
    """A day written as Gregorian ``2026-03-20`` or Jalali ``1404/12/29`` (``-``, ``/`` or ``.``), in any
    digits; a year below 1700 means Jalali. Raises :class:`InvalidDate` naming ``field``."""
    m = _DATE_RE.fullmatch(to_latin_digits(raw.strip()))
    if m is None:
        raise InvalidDate(field, field_fa)
    year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    try:
        if year < JALALI_YEAR_LIMIT:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except ValueError:
        raise InvalidDate(field, field_fa) from None


def parse_until(raw: str, field: str = "as_of", field_fa: str = "تا تاریخ") -> datetime:
    """The moment meant by a date or a date and time typed for "as of" / "until", as aware UTC.

    A day alone (Gregorian or Jalali) is the end of that Tehran day (:func:`end_of_day`); an ISO date and
    time is that moment — Tehran time when it carries no offset. Every place a person gives such a date
    (``bashgah report --as-of``, the reports API's ``as_of``, gift card expiry on the command line) goes
    through here, so a date means the same everywhere.
    """
    text = to_latin_digits(raw.strip())
    if _DATE_RE.fullmatch(text):
        return end_of_day(parse_day(text, field, field_fa))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidDate(field, field_fa) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TEHRAN)
    return moment.astimezone(UTC)
