"""Reading one cell of an import file: amounts, dates and times, yes/no, gender — in any digit form.

Each parser returns the value or raises :class:`~bashgah.core.errors.InvalidInput` (with English and
Persian reasons), which the importer turns into a line of the error report. They are pure functions,
called once per cell, so the hot ones avoid regular expressions where a C-level parse does the job.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

import jdatetime

from bashgah.core.errors import InvalidInput
from bashgah.core.jalali import JALALI_YEAR_LIMIT, TEHRAN
from bashgah.core.normalize import to_latin_digits

# Thousands separators people and spreadsheets put in amounts: comma, Arabic thousands separator,
# Arabic comma, apostrophe, underscore and spaces (including the narrow no-break space).
_AMOUNT_SEPARATORS = str.maketrans("", "", ",\u066c\u060c'_ \u00a0\u202f")
_MOMENT = re.compile(
    r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"
    r"(?:\s*[T\s,\-]\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,6})[0-9]*)?)?)?"
    r"\s*(Z|[+-][0-9]{2}:?[0-9]{2})?"
)

_TRUE = frozenset({"1", "yes", "y", "true", "t", "on", "x", "✓", "بله", "بلی", "آری", "دارد", "هست", "فعال"})
_FALSE = frozenset({"", "0", "no", "n", "false", "f", "off", "خیر", "نه", "ندارد", "نیست", "غیرفعال"})
_GENDERS = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "زن": "female",
    "خانم": "female",
    "مونث": "female",
    "مؤنث": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "مرد": "male",
    "آقا": "male",
    "مذکر": "male",
    "other": "other",
    "سایر": "other",
    "دیگر": "other",
}


def whole_number(raw: str, field: str, field_fa: str) -> int:
    """A non-negative integer written with any digits and thousands separators (``۱٬۲۰۰٬۰۰۰``)."""
    if raw.isascii() and raw.isdigit():
        return int(raw)  # the usual case, a million times per file: skip the clean-up below
    text = to_latin_digits(raw).translate(_AMOUNT_SEPARATORS)
    # Spreadsheets store numbers as floats: "1200000.0" is still a whole number.
    whole, dot, fraction = text.partition(".")
    if dot and fraction.strip("0") == "":
        text = whole
    if not text.isascii() or not text.isdigit():
        raise InvalidInput(field, "not a whole number", "عدد صحیح نیست", field_fa)
    return int(text)


def amount_rials(raw: str) -> int:
    value = whole_number(raw, "total_rials", "مبلغ")
    if value <= 0 or value > 10**13:
        raise InvalidInput(
            "total_rials", "must be more than 0 rials", "مبلغ باید بیشتر از صفر ریال باشد", "مبلغ"
        )
    return value


@lru_cache(maxsize=4096)
def _jalali_to_gregorian(year: int, month: int, day: int) -> date:
    return jdatetime.date(year, month, day).togregorian()


def _moment_error(field: str, field_fa: str) -> InvalidInput:
    return InvalidInput(
        field,
        "not a valid date: use 2025-06-14 13:45 (Gregorian) or 1404/03/24 13:45 (Jalali)",
        # The dates isolated left to right, or Persian text would show them reversed.
        "تاریخ معتبر نیست: از قالب \u2066۱۴۰۴/۰۳/۲۴ ۱۳:۴۵\u2069 (شمسی) یا \u20662025-06-14 13:45\u2069 (میلادی) "
        "استفاده کنید",
        field_fa,
    )


def moment(raw: str, field: str = "occurred_at", field_fa: str = "تاریخ") -> datetime:
    """An instant written as an ISO date/time (Gregorian) or a Jalali ``1404/03/24 13:45[:30]``.

    A year below 1700 means Jalali. Without an offset the time is Tehran's (a till's clock); a date
    alone means midnight in Tehran. Returns an aware UTC datetime.
    """
    text = to_latin_digits(raw.strip())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.year < JALALI_YEAR_LIMIT:
        parsed = _moment_by_parts(text, field, field_fa)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TEHRAN)
    return parsed.astimezone(UTC)


def _moment_by_parts(text: str, field: str, field_fa: str) -> datetime:
    m = _MOMENT.fullmatch(text)
    if m is None:
        raise _moment_error(field, field_fa)
    year, month, day = int(m[1]), int(m[3]), int(m[4])
    hour, minute = int(m[5] or 0), int(m[6] or 0)
    second = int(m[7] or 0)
    micro = int((m[8] or "0").ljust(6, "0"))
    try:
        day_of = (
            _jalali_to_gregorian(year, month, day) if year < JALALI_YEAR_LIMIT else date(year, month, day)
        )
        result = datetime(day_of.year, day_of.month, day_of.day, hour, minute, second, micro)
    except ValueError:
        raise _moment_error(field, field_fa) from None
    offset = m[9]
    if offset == "Z":
        return result.replace(tzinfo=UTC)
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return result.replace(tzinfo=timezone(sign * delta))
    return result


def yes_no(raw: str, field: str, field_fa: str) -> bool:
    text = to_latin_digits(raw.strip()).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(field, "write yes or no (1 or 0)", "بله یا خیر (۱ یا ۰) بنویسید", field_fa)


def gender(raw: str) -> str | None:
    text = raw.strip().casefold()
    if not text:
        return None
    found = _GENDERS.get(text)
    if found is None:
        raise InvalidInput("gender", "use female, male or other", "زن، مرد یا سایر بنویسید", "جنسیت")
    return found


def tag_list(raw: str) -> list[str]:
    """Tags separated by commas (Latin or Persian) or semicolons."""
    return [t for t in re.split(r"[,،;؛]", raw) if t.strip()]
