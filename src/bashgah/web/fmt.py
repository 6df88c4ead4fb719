"""How numbers, money and dates are written for people: Persian digits and separators and the Jalali
calendar in Persian; Latin digits and the Gregorian calendar in English; amounts in the club's unit —
toman, rial or the new rial of the 2025 redenomination law (10,000 of today's rials, in 100 qeran) — and
always stored as integer rials. What reads left to right (a Gregorian date, a code) is isolated so a
right-to-left sentence cannot reorder it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import jdatetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from bashgah.core.errors import BashgahError, Code, Money, Ref, Show, isolate
from bashgah.core.jalali import MONTH_NAMES_FA, TEHRAN
from bashgah.core.normalize import local_mobile, to_persian_digits
from bashgah.core.numerals import digits as digits  # written here for the pages too
from bashgah.core.numerals import in_script as _script
from bashgah.core.numerals import number as number


@dataclass(frozen=True)
class Unit:
    """A unit amounts are shown and typed in."""

    #: How many of today's (stored) rials one of this unit is.
    rials: int
    #: How many decimals a typed amount may have (a toman is 10 rials; a new rial is 100 qeran).
    decimals: int
    fa: str
    en: str
    #: The rials a computed figure (an average, a forecast) is rounded to: a whole toman or rial, a qeran.
    whole: int


#: The club's choice (``tenants.money_display``); the key is what is stored.
UNITS = {
    "toman": Unit(10, 1, "تومان", "toman", 10),
    "rial": Unit(1, 0, "ریال", "rials", 1),
    "new_rial": Unit(10_000, 2, "ریال جدید", "new rials", 100),
}
DEFAULT_UNIT = "toman"


def unit_of(unit: str) -> Unit:
    return UNITS.get(unit, UNITS[DEFAULT_UNIT])


def code(text: object, lang: str) -> str:
    """A code as it is printed and typed — a receipt number, a coupon or reward code, an API key's prefix —
    with its own (Latin) digits on every page, kept left to right inside Persian text. Plain text, so it
    serves a page, a title and a message alike."""
    return isolate(str(text), lang)


def card(number: str, lang: str) -> str:
    """A member's card number as it is read out and typed: ``1000 5689 7229 8156``, groups of four left to
    right, its own digits (a code), on every face."""
    groups = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return code(groups, lang)


def money_value(rials: int, unit: str) -> Decimal:
    """The figure shown for an amount of rials in ``unit``, exact (never a float); a new rial is rounded to
    the qeran (a stored amount need not be a whole number of qeran)."""
    shown = unit_of(unit)
    value = Decimal(rials) / shown.rials
    return value.quantize(Decimal(1).scaleb(-shown.decimals), rounding=ROUND_HALF_UP).normalize() + 0


def money_figure(rials: int, lang: str, unit: str = DEFAULT_UNIT) -> str:
    """The figure of an amount without its unit (a chart's axis): fractions of a new rial always with two
    decimals (``۱۲۵٫۵۰``), whole amounts without."""
    value = money_value(rials, unit)
    if value == value.to_integral_value():
        return number(value.to_integral_value(), lang)
    places = unit_of(unit).decimals
    return _script(format_decimal(value, format="#,##0." + "0" * places, locale="en"), lang)


def money(rials: int, lang: str, unit: str = DEFAULT_UNIT) -> str:
    """``1250000`` rials → ``۱۲۵٬۰۰۰ تومان`` / ``125,000 toman`` (or in rials or new rials by the club's
    setting: ``۱۲۵ ریال جدید``)."""
    return f"{money_figure(rials, lang, unit)} {unit_name(unit, lang)}"


def money_signed(rials: int, lang: str, unit: str = DEFAULT_UNIT) -> str:
    """A movement of money with a minus when it goes out: ``-125,000 toman``; for a cell read left to
    right."""
    return ("-" if rials < 0 else "") + money(abs(rials), lang, unit)


def money_whole(rials: int | float | Decimal, lang: str, unit: str = DEFAULT_UNIT) -> str:
    """A computed amount (a report's average, a forecast) in whole units of the club's money, rounded half
    up — never a tenth of a toman: ``1140000504.3`` rials → ``۱۱۴٬۰۰۰٬۰۵۰ تومان``; a new rial keeps its
    qeran."""
    step = unit_of(unit).whole
    whole = (Decimal(str(rials)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return money(int(whole), lang, unit)


def unit_name(unit: str, lang: str) -> str:
    shown = unit_of(unit)
    return shown.fa if lang == "fa" else shown.en


def rials_typed(value: Decimal, unit: str) -> int:
    """An amount typed in ``unit`` as integer rials, exactly; ``ValueError`` when it has more decimals than
    the unit has (a third decimal of a new rial is below the qeran), or is negative."""
    shown = unit_of(unit)
    if value < 0 or value.normalize().as_tuple().exponent < -shown.decimals:  # type: ignore[operator]
        raise ValueError(value)
    return int(value * shown.rials)


def rials_as_typed(rials: int | None, unit: str) -> str:
    """An amount of rials as it is typed back into a form in the club's unit (Latin digits, no separators)."""
    if rials is None:
        return ""
    value = Decimal(rials) / unit_of(unit).rials
    return format(value.normalize() + 0, "f") if value != value.to_integral_value() else str(int(value))


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


def mobile(e164: str | None, lang: str) -> str:
    """A member's mobile as people write it (``09121234567``), in the page's digits."""
    return digits(local_mobile(e164), lang)


def ltr(text: object) -> Markup:
    """Left-to-right text (a code, an ISO date, a JSON key) isolated inside any page."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(escape(str(text)))


def shown(lang: str, unit: str = DEFAULT_UNIT) -> Show:
    """How a domain error's figures are written on a page: like the page's own (the club's unit, Jalali
    days and Tehran time in Persian)."""

    def show(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, Money):
            return money(int(value), lang, unit)
        if isinstance(value, Ref):
            return digits(int(value), lang)
        if isinstance(value, int):
            return number(value, lang)
        if isinstance(value, datetime):
            return moment(value, lang)
        if isinstance(value, date):
            return day(value, lang)
        if isinstance(value, Code):
            return isolate(str(value), lang)
        return value

    return show


def error(problem: BashgahError, lang: str, unit: str = DEFAULT_UNIT) -> str:
    """A domain error's message for a page in ``lang`` with the club's ``unit``."""
    return problem.message(lang, shown(lang, unit))
