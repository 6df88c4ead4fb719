"""The one forms module: reading HTML form fields the way people type them — any digits (۰-۹, ٠-٩, 0-9),
thousands separators, amounts in the club's unit (``fmt.UNITS``), days in Jalali or Gregorian.

Two families share the same reading of digits and amounts and differ only in how a refusal is worded:

- field readers (``text``, ``whole_number``, ``amount_rials``) take the form and a field's name and raise
  ``InvalidInput`` naming the field (the POS and the portal);
- value readers (``values``, ``maybe_whole``, ``whole``, ``typed_rials``, ``typed_day``) take what was typed
  and raise ``FormProblem`` with the field's label in both languages (the console, whose pages show the
  typed values again).

Either way a page shows the refusal like any other domain error."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import jdatetime

from bashgah.core.errors import BashgahError, Count, InvalidInput, isolate
from bashgah.core.normalize import to_latin_digits, to_persian_digits
from bashgah.web import fmt

#: A submitted form (starlette's ``FormData``) or any mapping of field names to what was typed.
Fields = Mapping[str, object]
#: Thousands separators people type or paste: comma, Persian/Arabic separators, spaces, underscores.
_SEPARATORS = re.compile(r"[,\u066c\u060c\s_]")
_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
#: More rials than any amount a club handles; past it a figure is a typing mistake.
_MOST_RIALS = 10**13


class FormProblem(BashgahError):
    """A form field that is not a number (or similar) before any service is called."""

    status = 422
    code = "invalid_form"
    message_en = "{label_en} {reason_en}"
    message_fa = "«{label_fa}» {reason_fa}"

    def __init__(self, label_en: str, label_fa: str, reason_en: str, reason_fa: str) -> None:
        super().__init__(None, label_en=label_en, label_fa=label_fa, reason_en=reason_en, reason_fa=reason_fa)


# --- what was typed -----------------------------------------------------------------------------------


def text(form: Fields, name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def values(form: Fields, *names: str) -> dict[str, str]:
    """What was typed in each field (whole, trimmed), to read and to show again when the form comes back
    with errors."""
    found = {}
    for name in names:
        value = form.get(name)
        found[name] = value.strip() if isinstance(value, str) else ""
    return found


def digits(value: str) -> str:
    """Persian or Arabic-Indic digits as Latin, separators dropped, the Arabic decimal sign as a point:
    ``۱٬۲۰۰٫۵`` → ``1200.5``."""
    return _SEPARATORS.sub("", to_latin_digits(value)).replace("\u066b", ".")


def _decimal(raw: str) -> Decimal | None:
    """A non-negative number as typed, None when empty; anything else is a ``ValueError``."""
    cleaned = digits(raw)
    if not cleaned:
        return None
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", cleaned):
        raise ValueError(raw)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(raw) from None


# --- field readers: InvalidInput naming the field -----------------------------------------------------


def _field_number(form: Fields, name: str, field_fa: str, required: bool) -> Decimal | None:
    """The field as a number; ``Decimal(-1)`` (refused by every caller) when it is not one."""
    try:
        value = _decimal(text(form, name))
    except ValueError:
        return Decimal(-1)
    if value is None and required:
        raise InvalidInput(name, "required", "لازم است", field_fa)
    return value


def whole_number(
    form: Fields, name: str, field_fa: str, *, required: bool = False, maximum: int = 10**13
) -> int | None:
    """A non-negative whole number, or None when left empty (unless ``required``)."""
    value = _field_number(form, name, field_fa, required)
    if value is None:
        return None
    if value < 0 or value != value.to_integral_value() or value > maximum:
        raise InvalidInput(name, "a whole number", "یک عدد صحیح وارد کنید", field_fa)
    return int(value)


def amount_rials(form: Fields, name: str, unit: str, field_fa: str, *, required: bool = False) -> int | None:
    """An amount typed in the club's unit (toman, rial or new rial), as integer rials: a toman may have one
    decimal, a new rial two (its qeran); more decimals than that are refused, never rounded."""
    value = _field_number(form, name, field_fa, required)
    if value is None:
        return None
    try:
        rials = fmt.rials_typed(value, unit)
    except ValueError:
        raise InvalidInput(
            name,
            "an amount in {unit} with at most {places} decimals",
            "مبلغ را به {unit_fa} و با حداکثر {places} رقم اعشار وارد کنید",
            field_fa,
            unit=fmt.unit_name(unit, "en"),
            unit_fa=fmt.unit_name(unit, "fa"),
            places=Count(fmt.unit_of(unit).decimals),
        ) from None
    if rials > _MOST_RIALS:
        raise InvalidInput(name, "an amount in whole rials", "مبلغ را درست وارد کنید", field_fa)
    return rials


# --- value readers: FormProblem with the field's label ------------------------------------------------


def _required(label_en: str, label_fa: str) -> FormProblem:
    return FormProblem(label_en, label_fa, "is required", "لازم است")


def maybe_whole(value: str, label_en: str, label_fa: str) -> int | None:
    """A whole number (a sign allowed) typed in any digits, or None when left empty."""
    clean = digits(value)
    if not clean:
        return None
    try:
        return int(clean)
    except ValueError:
        raise FormProblem(label_en, label_fa, "must be a whole number", "باید عدد صحیح باشد") from None


def whole(value: str, label_en: str, label_fa: str) -> int:
    """A whole number that must be given."""
    number = maybe_whole(value, label_en, label_fa)
    if number is None:
        raise _required(label_en, label_fa)
    return number


def typed_rials(value: str, unit: str, label_en: str, label_fa: str, required: bool = True) -> int | None:
    """An amount typed in the club's unit (toman, rial or new rial) as integer rials, exactly (a sign
    allowed): more decimals than the unit has (a toman's one, a new rial's two qeran) are refused, never
    rounded."""
    clean = digits(value)
    if not clean:
        if required:
            raise _required(label_en, label_fa)
        return None
    try:
        amount = Decimal(clean)
    except InvalidOperation:
        raise FormProblem(label_en, label_fa, "must be a number", "باید عدد باشد") from None
    try:
        rials = fmt.rials_typed(abs(amount), unit)
    except ValueError:
        places = fmt.unit_of(unit).decimals
        raise FormProblem(
            label_en,
            label_fa,
            f"must be in {fmt.unit_name(unit, 'en')} with at most {places} decimals",
            f"باید به {fmt.unit_name(unit, 'fa')} و با حداکثر {fmt.number(places, 'fa')} رقم اعشار باشد",
        ) from None
    return -rials if amount < 0 else rials


def typed_day(raw: str, label_en: str, label_fa: str) -> date | None:
    """A day typed as Jalali ``1405/09/03`` or Gregorian ``2026-11-24``, in any digits; None when empty."""
    if not raw:
        return None
    found = _DAY.fullmatch(to_latin_digits(raw).strip())
    try:
        if found is None:
            raise ValueError(raw)
        year, month, day = (int(part) for part in found.groups())
        return jdatetime.date(year, month, day).togregorian() if year < 1700 else date(year, month, day)
    except ValueError:
        raise FormProblem(
            label_en,
            label_fa,
            "must look like 1405/09/03 (Jalali) or 2026-11-24",
            f"باید به شکل ۱۴۰۵/۰۹/۰۳ یا {isolate('2026-11-24', 'fa')} باشد",
        ) from None


def new_form_key() -> str:
    """A key rendered into a form so that sending it twice does its work once."""
    return secrets.token_urlsafe(16)


# --- POS and portal

#: What separates an item line's code, quantity and unit price (spaces, "×", "*").
_ITEM_SEPARATORS = re.compile(r"[\s×*]+")


def fields(form: Fields, limits: Mapping[str, int]) -> dict[str, str]:
    """Each named field as typed (trimmed), cut to its limit; a missing one is empty."""
    return {name: text(form, name, limit) for name, limit in limits.items()}


def ticked(form: Fields, name: str) -> bool:
    """Whether a checkbox sent with ``value="1"`` was ticked."""
    return form.get(name) == "1"


def item_lines(typed: str, unit: str) -> list[tuple[str, int, int]]:
    """Item lines as a cashier types them: ``TEA-01 2 45,000`` (code, quantity, unit price in the club's
    unit), one per line or separated by ``;``; any digits. Gives (code, quantity, unit price in rials)."""
    items = []
    for n, line in enumerate((x.strip() for x in re.split(r"[\n;]+", typed)), start=1):
        if not line:
            continue
        parts = _ITEM_SEPARATORS.split(to_latin_digits(line))
        quantity = price = None
        if len(parts) == 3 and 1 <= len(parts[0]) <= 64:
            try:
                quantity = whole_number({"q": parts[1]}, "q", "تعداد", maximum=100_000)
                price = amount_rials({"p": parts[2]}, "p", unit, "قیمت")
            except InvalidInput:
                quantity = None
        if not quantity or price is None:
            raise InvalidInput(
                "items",
                f"line {n}: write the code, the quantity and the unit price",
                f"سطر {to_persian_digits(str(n))}: کد کالا، تعداد و قیمت واحد را بنویسید",
                "اقلام",
            )
        items.append((parts[0], quantity, price))
    return items
