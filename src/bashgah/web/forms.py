"""Reading HTML form fields the way people type them: any digits (۰-۹, ٠-٩, 0-9), thousands separators,
amounts in the club's unit (``fmt.UNITS``). A bad value raises ``InvalidInput`` naming the field in both languages, so a
page shows it like any other domain error."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from bashgah.core.errors import Count, InvalidInput
from bashgah.core.normalize import to_latin_digits, to_persian_digits
from bashgah.web import fmt

#: A submitted form (starlette's ``FormData``) or any mapping of field names to what was typed.
Fields = Mapping[str, object]
#: Thousands separators people type or paste: comma, Persian/Arabic separators, spaces, underscores.
_SEPARATORS = re.compile(r"[,\u066c\u060c\s_]")


def text(form: Fields, name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _decimal(raw: str) -> Decimal | None:
    cleaned = _SEPARATORS.sub("", to_latin_digits(raw)).replace("\u066b", ".")
    if not cleaned:
        return None
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", cleaned):
        raise ValueError(raw)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(raw) from None


def whole_number(
    form: Fields, name: str, field_fa: str, *, required: bool = False, maximum: int = 10**13
) -> int | None:
    """A non-negative whole number, or None when left empty (unless ``required``)."""
    try:
        value = _decimal(text(form, name))
    except ValueError:
        value = Decimal(-1)
    if value is None:
        if required:
            raise InvalidInput(name, "required", "لازم است", field_fa)
        return None
    if value < 0 or value != value.to_integral_value() or value > maximum:
        raise InvalidInput(name, "a whole number", "یک عدد صحیح وارد کنید", field_fa)
    return int(value)


def amount_rials(form: Fields, name: str, unit: str, field_fa: str, *, required: bool = False) -> int | None:
    """An amount typed in the club's unit (toman, rial or new rial), as integer rials: a toman may have one
    decimal, a new rial two (its qeran); more decimals than that are refused, never rounded."""
    try:
        value = _decimal(text(form, name))
    except ValueError:
        value = Decimal(-1)
    if value is None:
        if required:
            raise InvalidInput(name, "required", "لازم است", field_fa)
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
    if rials > 10**13:
        raise InvalidInput(name, "an amount in whole rials", "مبلغ را درست وارد کنید", field_fa)
    return rials


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
