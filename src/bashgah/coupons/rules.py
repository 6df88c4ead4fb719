"""Coupon rules as pure functions: the code alphabet, normalising what a cashier types, the discount."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from bashgah.core.errors import Count, InvalidInput
from bashgah.core.normalize import to_latin_digits

#: Letters and digits a customer cannot misread: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
#: Generated codes must be this many times sparser than the code space, so collisions stay rare.
SPACE_FACTOR = 1000


def normalize_code(raw: str) -> str:
    """What a till sends as what was stored: Latin digits, upper case, no spaces or dashes."""
    return "".join(ch for ch in to_latin_digits(raw).upper() if ch.isascii() and ch.isalnum())


def room_for(count: int, length: int) -> bool:
    """Whether ``count`` random codes of ``length`` characters fit the alphabet with room to spare."""
    return len(ALPHABET) ** length >= count * SPACE_FACTOR


def check_room(count: int, length: int) -> None:
    """Refuse to generate ``count`` codes of ``length`` characters when they do not fit (:func:`room_for`)."""
    if not room_for(count, length):
        raise InvalidInput(
            "length",
            "{count} codes need longer codes than {length} characters",
            "برای {count} کد، طول {length} کافی نیست",
            "طول کد",
            count=Count(count),
            length=Count(length),
        )


def random_codes(n: int, length: int, prefix: str) -> set[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(prefix + "".join(secrets.choice(ALPHABET) for _ in range(length)))
    return codes


@dataclass(frozen=True)
class Terms:
    discount_type: str
    discount_value: int
    max_discount_rials: int | None
    min_basket_rials: int
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None
    max_uses_per_code: int | None
    max_uses_per_member: int | None
    active: bool = True


@dataclass(frozen=True)
class Uses:
    """Uses not given back, counted under the code's (and batch's) lock when a sale spends one."""

    of_code: int
    of_batch: int
    by_member: int


def discount(terms: Terms, total_rials: int) -> int:
    if terms.discount_type == "fixed":
        return min(terms.discount_value, total_rials)
    amount = total_rials * terms.discount_value // 100
    if terms.max_discount_rials is not None:
        amount = min(amount, terms.max_discount_rials)
    return amount


def refusal(
    terms: Terms,
    uses: Uses,
    total_rials: int,
    now: datetime,
    owner_id: int | None = None,
    member_id: int | None = None,
) -> tuple[str, dict[str, object]] | None:
    """Why this coupon cannot be used on this basket now (an error code and its figures), or None.

    ``owner_id`` is the member a campaign gave the code to (None: anyone holding it)."""
    if owner_id is not None and owner_id != member_id:
        return "coupon_of_another_member", {}
    if not terms.active:
        return "coupon_switched_off", {}
    if now < terms.valid_from:
        return "coupon_not_yet_valid", {"at": terms.valid_from}
    if terms.valid_until is not None and now >= terms.valid_until:
        return "coupon_expired", {"at": terms.valid_until}
    if total_rials < terms.min_basket_rials:
        return "coupon_below_minimum", {"minimum": terms.min_basket_rials}
    if terms.max_uses_per_code is not None and uses.of_code >= terms.max_uses_per_code:
        return "coupon_used_up", {"limit": terms.max_uses_per_code}
    if terms.max_uses is not None and uses.of_batch >= terms.max_uses:
        return "coupon_used_up", {"limit": terms.max_uses}
    if terms.max_uses_per_member is not None and uses.by_member >= terms.max_uses_per_member:
        return "coupon_member_limit", {"limit": terms.max_uses_per_member}
    return None
