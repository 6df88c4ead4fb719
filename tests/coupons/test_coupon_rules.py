"""The pure coupon rules: the alphabet, what a cashier types, the discount and why a coupon is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bashgah.coupons import rules

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)


def terms(**changes: object) -> rules.Terms:
    base: dict[str, object] = {
        "discount_type": "percent",
        "discount_value": 10,
        "max_discount_rials": 500_000,
        "min_basket_rials": 2_000_000,
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=1),
        "max_uses": None,
        "max_uses_per_code": None,
        "max_uses_per_member": 1,
    }
    base.update(changes)
    return rules.Terms(**base)  # type: ignore[arg-type]


def test_the_alphabet_has_no_characters_a_customer_could_misread() -> None:
    assert not set("0O1IL5S2Z8B") & set(rules.ALPHABET)
    assert len(set(rules.ALPHABET)) == len(rules.ALPHABET)


def test_generated_codes_carry_the_prefix_and_only_the_alphabet() -> None:
    codes = rules.random_codes(500, 6, "NY")
    assert len(codes) == 500
    assert all(c.startswith("NY") and len(c) == 8 and set(c[2:]) <= set(rules.ALPHABET) for c in codes)


def test_a_code_typed_with_persian_digits_spaces_or_dashes_is_the_stored_code() -> None:
    assert rules.normalize_code(" yalda-۱۴۰۵ ") == "YALDA1405"


def test_ten_percent_is_capped_and_a_fixed_discount_never_exceeds_the_basket() -> None:
    assert rules.discount(terms(), 3_000_000) == 300_000
    assert rules.discount(terms(), 9_000_000) == 500_000
    assert rules.discount(
        terms(discount_type="fixed", discount_value=200_000, max_discount_rials=None), 150_000
    ) == (150_000)


def test_each_refusal_says_why() -> None:
    none = rules.Uses(0, 0, 0)
    assert rules.refusal(terms(), none, 3_000_000, NOW) is None
    assert rules.refusal(terms(), none, 1_999_999, NOW) == ("coupon_below_minimum", {"minimum": 2_000_000})
    assert rules.refusal(terms(), rules.Uses(0, 0, 1), 3_000_000, NOW) == (
        "coupon_member_limit",
        {"limit": 1},
    )
    assert rules.refusal(terms(max_uses_per_code=1), rules.Uses(1, 1, 0), 3_000_000, NOW) == (
        "coupon_used_up",
        {"limit": 1},
    )
    assert rules.refusal(terms(max_uses=5), rules.Uses(0, 5, 0), 3_000_000, NOW) == (
        "coupon_used_up",
        {"limit": 5},
    )
    assert rules.refusal(terms(), none, 3_000_000, NOW + timedelta(days=1))[0] == "coupon_expired"  # type: ignore[index]
    assert rules.refusal(terms(), none, 3_000_000, NOW - timedelta(days=2))[0] == "coupon_not_yet_valid"  # type: ignore[index]


def test_the_code_space_must_be_far_larger_than_the_batch() -> None:
    assert rules.room_for(100_000, 8)
    assert not rules.room_for(100_000, 4)
