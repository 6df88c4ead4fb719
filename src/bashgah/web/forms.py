"""Reading HTML form fields the way people type them: any digits (۰-۹, ٠-٩, 0-9), thousands separators,
amounts in the club's unit (``fmt.UNITS``). A bad value raises ``InvalidInput`` naming the field in both languages, so a
page shows it like any other domain error."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from bashgah.core.errors import Count, InvalidInput
from bashgah.core.normalize import to_latin_digits
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
