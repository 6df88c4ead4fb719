"""How numbers, money and dates are written for people: Persian digits and separators and the Jalali
calendar in Persian; Latin digits and the Gregorian calendar in English; amounts in toman or rial by the
club's setting (always stored as integer rials)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import jdatetime
from babel.numbers import format_decimal

from bashgah.core.jalali import MONTH_NAMES_FA, TEHRAN
from bashgah.core.normalize import to_persian_digits

#: Persian thousands separator (U+066C) and decimal separator (U+066B).
_FA_SEPARATORS = str.maketrans({",": "\u066c", ".": "\u066b"})
_UNITS = {("toman", "fa"): "تومان", ("rial", "fa"): "ریال", ("toman", "en"): "toman", ("rial", "en"): "rials"}


def number(value: int | Decimal, lang: str) -> str:
    """``1234567`` → ``۱٬۲۳۴٬۵۶۷`` (fa) or ``1,234,567`` (en)."""
    text = format_decimal(value, locale="en")
    if lang == "fa":
        return to_persian_digits(text).translate(_FA_SEPARATORS)
    return text


def digits(text: object, lang: str) -> str:
    """Any text with its digits in the page's script (a mobile number, a card, a code)."""
    return to_persian_digits(str(text)) if lang == "fa" else str(text)


def money_value(rials: int, unit: str) -> int | Decimal:
    """The figure shown for an amount of rials: tomans are tenths of it (kept exact, never a float)."""
    return Decimal(rials) / 10 if unit == "toman" else rials


def money(rials: int, lang: str, unit: str = "toman") -> str:
    """``1250000`` rials → ``۱۲۵٬۰۰۰ تومان`` / ``125,000 toman`` (or in rials by the club's setting)."""
    unit = unit if unit in ("toman", "rial") else "toman"
    return f"{number(money_value(rials, unit), lang)} {_UNITS[unit, lang]}"


def unit_name(unit: str, lang: str) -> str:
    return _UNITS[unit if unit in ("toman", "rial") else "toman", lang]


def day(value: date | datetime, lang: str) -> str:
    """A day: ``۳ آذر ۱۴۰۵`` (fa, Jalali) or ``24 Nov 2026`` (en), in Tehran time for instants."""
    d = value.astimezone(TEHRAN).date() if isinstance(value, datetime) else value
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=d)
        return to_persian_digits(f"{j.day} {MONTH_NAMES_FA[j.month - 1]} {j.year}")
    return f"{d.day} {d:%b %Y}"


def moment(value: datetime, lang: str) -> str:
    """A day and a time of day in Tehran: ``۳ آذر ۱۴۰۵، ۱۴:۰۵`` / ``24 Nov 2026, 14:05``."""
    local = value.astimezone(TEHRAN)
    clock = f"{local:%H:%M}"
    if lang == "fa":
        return f"{day(local, lang)}، {to_persian_digits(clock)}"
    return f"{day(local, lang)}, {clock}"
