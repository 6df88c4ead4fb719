from __future__ import annotations

import random

import pytest

from bashgah.core.errors import InvalidNationalCode, InvalidPhone
from bashgah.core.normalize import (
    ZWNJ,
    is_valid_card_number,
    looks_like_phone,
    luhn_check_digit,
    new_card_number,
    normalize_card_number,
    normalize_name,
    normalize_national_code,
    normalize_phone,
    search_key,
    to_latin_digits,
    to_persian_digits,
)

# ----------------------------------------------------------------------------------------------- digits


def test_to_latin_digits_all_systems() -> None:
    assert to_latin_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_latin_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_latin_digits("کد ۱۲3٤") == "کد 1234"
    assert to_latin_digits("abc") == "abc"


def test_to_persian_digits() -> None:
    assert to_persian_digits("0123456789") == "۰۱۲۳۴۵۶۷۸۹"
    assert to_persian_digits("٠١٢") == "۰۱۲"
    assert to_persian_digits("1370/05/12") == "۱۳۷۰/۰۵/۱۲"
    assert to_latin_digits(to_persian_digits("09123456789")) == "09123456789"


# ------------------------------------------------------------------------------------------------ names


def test_normalize_name_arabic_letters() -> None:
    assert normalize_name("علي") == "علی"
    assert normalize_name("كاظم") == "کاظم"
    assert normalize_name("مصطفى") == "مصطفی"


def test_normalize_name_tatweel_and_harakat() -> None:
    assert normalize_name("محـــمد") == "محمد"
    assert normalize_name("مُحَمَّد") == "محمد"
    assert normalize_name("عليٌ") == "علی"


def test_normalize_name_keeps_letter_forming_marks() -> None:
    # «آ» as alef + maddah and «ۀ» as heh-goal + hamza above must survive.
    assert normalize_name("\u0627\u0653زاده") == "\u0627\u0653زاده"
    assert normalize_name("خانه\u0654") == "خانه\u0654"


def test_normalize_name_whitespace() -> None:
    assert normalize_name("  زهرا \t  احمدی\n") == "زهرا احمدی"
    assert normalize_name("زهرا\u00a0احمدی") == "زهرا احمدی"
    assert normalize_name("   ") == ""


def test_normalize_name_zwnj() -> None:
    z = ZWNJ
    assert normalize_name(f"محمد{z}رضا") == f"محمد{z}رضا"
    assert normalize_name(f"محمد{z}{z}{z}رضا") == f"محمد{z}رضا"
    assert normalize_name(f"{z}محمد{z}رضا{z}") == f"محمد{z}رضا"
    assert normalize_name(f"محمد{z} رضا") == "محمد رضا"
    assert normalize_name(f"محمد {z}رضا") == "محمد رضا"
    assert normalize_name(f"محمد {z} رضا") == "محمد رضا"
    assert normalize_name(f"علی {z}{z} ") == "علی"


def test_normalize_name_drops_bidi_marks() -> None:
    assert normalize_name("\u200fسارا\u200e") == "سارا"


def test_normalize_name_idempotent() -> None:
    raw = f"  {ZWNJ}سيد  محمـد{ZWNJ}{ZWNJ}رضا  كريمي "
    once = normalize_name(raw)
    assert once == f"سید محمد{ZWNJ}رضا کریمی"
    assert normalize_name(once) == once


def test_search_key_zwnj_equals_space() -> None:
    assert search_key(f"محمد{ZWNJ}رضا") == search_key("محمد رضا") == "محمد رضا"


def test_search_key_arabic_equals_persian() -> None:
    assert search_key("علي") == search_key("علی")
    assert search_key("كيان") == search_key("کیان")


def test_search_key_casefold_digits_and_spaces() -> None:
    assert search_key("  Ali   REZAEI ") == "ali rezaei"
    assert search_key("Straße") == search_key("STRASSE")
    assert search_key("شعبه ۱۲") == search_key("شعبه 12") == "شعبه 12"


def test_search_key_presentation_forms() -> None:
    # U+FEDD..: Arabic presentation forms of «علی» typed by some old keyboards/PDF copies.
    assert search_key("\ufecb\ufee0\ufef2") == search_key("علی")


def test_search_key_does_not_merge_joined_words() -> None:
    assert search_key("محمدرضا") != search_key("محمد رضا")


# ----------------------------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "raw",
    [
        "09123456789",
        "+989123456789",
        "00989123456789",
        "989123456789",
        "9123456789",
        "0912 345 6789",
        "0912-345-6789",
        "(0912) 345-6789",
        "+98 (912) 345 67 89",
        "0098 912 345 6789",
        "  09123456789  ",
        "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "+۹۸۹۱۲۳۴۵۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "٩١٢-٣٤٥-٦٧٨٩",
        "۰۹۱۲۳45۶۷۸۹",
    ],
)
def test_normalize_phone_iranian_forms(raw: str) -> None:
    assert normalize_phone(raw) == "+989123456789"


def test_normalize_phone_other_iranian_operators() -> None:
    assert normalize_phone("09351234567") == "+989351234567"
    assert normalize_phone("0990 123 4567") == "+989901234567"


def test_normalize_phone_foreign_mobiles() -> None:
    assert normalize_phone("+44 7400 123456") == "+447400123456"
    assert normalize_phone("0044 7400 123456") == "+447400123456"
    # US numbers are FIXED_LINE_OR_MOBILE: accepted.
    assert normalize_phone("+1 415 555 2671") == "+14155552671"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "+",
        "abc",
        "0912ABCDEFG",  # vanity letters are not accepted
        "02188776655",  # Tehran landline
        "+982188776655",  # landline in E.164
        "+44 20 7946 0958",  # London landline
        "091234567",  # too short
        "091234567890",  # too long
        "0912345678x",
        "0912+3456789",
        "12345",
    ],
)
def test_normalize_phone_invalid(raw: str) -> None:
    with pytest.raises(InvalidPhone) as exc:
        normalize_phone(raw)
    assert exc.value.code == "invalid_mobile"
    assert exc.value.field == "mobile"


def test_invalid_phone_message_languages() -> None:
    with pytest.raises(InvalidPhone) as exc:
        normalize_phone("02188776655")
    assert "موبایل" in exc.value.message("fa")
    assert "mobile" in exc.value.message("en")


@pytest.mark.parametrize(
    "s",
    ["09123456789", "+989123456789", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "(0912) 345-6789", "9123456789", "00989123456789"],
)
def test_looks_like_phone_true(s: str) -> None:
    assert looks_like_phone(s)


@pytest.mark.parametrize(
    "s",
    ["علی رضایی", "123456789", "000000000000000", "0912abc6789", "9+123456789", "", "1370/05/12"],
)
def test_looks_like_phone_false(s: str) -> None:
    assert not looks_like_phone(s)


# --------------------------------------------------------------------------------------- national codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0499370899", "0499370899"),
        ("۰۴۹۹۳۷۰۸۹۹", "0499370899"),
        ("٠٤٩٩٣٧٠٨٩٩", "0499370899"),
        ("049-937089-9", "0499370899"),
        (" 049 937 0899 ", "0499370899"),
        ("1234567891", "1234567891"),
        ("2746598280", "2746598280"),  # remainder 0 -> check digit 0
        ("2746598231", "2746598231"),  # remainder 1 -> check digit 1
        ("499370899", "0499370899"),  # 9 digits, leading zero lost
        ("12345679", "0012345679"),  # 8 digits, two leading zeros lost
    ],
)
def test_normalize_national_code_valid(raw: str, expected: str) -> None:
    assert normalize_national_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "0499370890",  # wrong check digit
        "0499370898",
        "1234567890",
        "2746598281",
        "1111111111",  # checksum holds but all digits equal
        "0000000000",
        "00000000",
        "1234560",  # 7 digits: too short even for padding
        "12345678901",  # 11 digits
        "04993708a9",
        "",
        "abcdefghij",
    ],
)
def test_normalize_national_code_invalid(raw: str) -> None:
    with pytest.raises(InvalidNationalCode) as exc:
        normalize_national_code(raw)
    assert exc.value.code == "invalid_national_code"


# ------------------------------------------------------------------------------------------------ cards


def test_luhn_check_digit_known_values() -> None:
    # 79927398713 is the textbook Luhn example; 4111 1111 1111 1111 is a well-known test card.
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("411111111111111") == "1"
    assert luhn_check_digit("0") == "0"


def test_luhn_check_digit_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        luhn_check_digit("12a4")
    with pytest.raises(ValueError):
        luhn_check_digit("")


def test_is_valid_card_number_forms() -> None:
    assert is_valid_card_number("4111111111111111")
    assert is_valid_card_number("4111 1111 1111 1111")
    assert is_valid_card_number("4111-1111-1111-1111")
    assert is_valid_card_number("۴۱۱۱۱۱۱۱۱۱۱۱۱۱۱۱")
    assert not is_valid_card_number("4111111111111112")
    assert not is_valid_card_number("411111111111111")  # 15 digits
    assert not is_valid_card_number("41111111111111111")  # 17 digits
    assert not is_valid_card_number("4111x11111111111")
    assert not is_valid_card_number("")


def test_new_card_number_is_valid() -> None:
    for _ in range(200):
        number = new_card_number()
        assert len(number) == 16
        assert number.isdigit()
        assert number[0] != "0"
        assert is_valid_card_number(number)


def test_new_card_number_changed_digit_fails() -> None:
    number = new_card_number(random.Random(1405))
    assert is_valid_card_number(number)
    for pos in range(16):
        for replacement in "0123456789":
            if replacement == number[pos]:
                continue
            changed = number[:pos] + replacement + number[pos + 1 :]
            assert not is_valid_card_number(changed), (number, changed)


def test_new_card_number_seeded_rng_is_reproducible() -> None:
    a = [new_card_number(random.Random(7)) for _ in range(3)]
    b = [new_card_number(random.Random(7)) for _ in range(3)]
    assert a == b
    assert len({new_card_number(random.Random(seed)) for seed in range(50)}) == 50


def test_normalize_card_number() -> None:
    assert normalize_card_number("4111 1111 1111 1111") == "4111111111111111"
    assert normalize_card_number("۴۱۱۱-۱۱۱۱-۱۱۱۱-۱۱۱۱") == "4111111111111111"
    assert normalize_card_number("4111 1111 1111 1112") is None
    assert normalize_card_number("09123456789") is None
    assert normalize_card_number("") is None


def test_control_characters_never_reach_a_stored_name_or_reason() -> None:
    from bashgah.core.normalize import clean_text

    assert normalize_name("سارا\x1b\x00 احمدی\x07") == "سارا احمدی"
    assert normalize_name("Ali\u202eilA") == "AliilA"
    assert clean_text("  returned\r\nbroken\x00 item\x7f ") == "returned  broken item"
    # Persian's joiners stay.
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"


def test_a_schema_text_is_cleaned_before_its_length_is_checked() -> None:
    from pydantic import ValidationError

    from bashgah.points.schemas import AdjustmentCreate

    with pytest.raises(ValidationError):
        AdjustmentCreate.model_validate({"points": 5, "reason": "\x00\x01\x02\x03"})
    assert AdjustmentCreate.model_validate({"points": 5, "reason": "gift\x1b!"}).reason == "gift!"


def test_a_national_code_of_one_repeated_digit_is_refused_for_that_and_not_for_its_check_digit() -> None:
    with pytest.raises(InvalidNationalCode) as exc:
        normalize_national_code("۱۱۱۱۱۱۱۱۱۱")
    assert "all its digits are the same" in exc.value.message("en")
    assert "یکسان" in exc.value.message("fa") and "رقم کنترل" not in exc.value.message("fa")
    with pytest.raises(InvalidNationalCode) as exc:
        normalize_national_code("0012345678")
    assert "check digit" in exc.value.message("en")
