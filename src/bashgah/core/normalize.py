"""Normalisation and validation of Persian text, phone numbers, national codes and card numbers.

Everything here is pure (no I/O, no database). Functions that validate user input raise the domain
errors of :mod:`bashgah.core.errors` so callers can let them bubble up to the API layer.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from typing import Annotated, Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from pydantic import BeforeValidator

from bashgah.core.errors import InvalidNationalCode, InvalidPhone

__all__ = [
    "DEFAULT_REGION",
    "ZWNJ",
    "CleanText",
    "clean_text",
    "is_valid_card_number",
    "looks_like_phone",
    "luhn_check_digit",
    "new_card_number",
    "normalize_card_number",
    "normalize_name",
    "normalize_national_code",
    "normalize_phone",
    "normalize_reference",
    "search_key",
    "to_latin_digits",
    "to_persian_digits",
]

DEFAULT_REGION = "IR"
ZWNJ = "\u200c"

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_LATIN_DIGITS = "0123456789"

_TO_LATIN = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, _LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(_LATIN_DIGITS + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)

# Arabic letter forms that Persian writes differently, tatweel, harakat and invisible bidi controls.
# U+0653..U+0655 (maddah / hamza above / hamza below) are kept: they build letters such as «آ» and «ۀ».
_NAME_TABLE: dict[int, str | None] = {
    0x064A: "ی",  # ARABIC LETTER YEH -> FARSI YEH
    0x0649: "ی",  # ARABIC LETTER ALEF MAKSURA -> FARSI YEH
    0x0643: "ک",  # ARABIC LETTER KAF -> KEHEH
    0x0640: None,  # TATWEEL
    0x0670: None,  # SUPERSCRIPT ALEF
    0x200E: None,  # LRM
    0x200F: None,  # RLM
    0xFEFF: None,  # BOM / ZWNBSP
}
_NAME_TABLE.update({cp: None for cp in range(0x064B, 0x0653)})  # fathatan .. sukun
_NAME_TABLE.update({cp: None for cp in range(0x0656, 0x0660)})  # other combining Arabic marks
_NAME_TABLE.update({cp: None for cp in range(0x202A, 0x202F)})  # LRE .. RLO embeddings/overrides
_NAME_TABLE.update({cp: None for cp in range(0x2066, 0x206A)})  # LRI .. PDI isolates

_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")

# Characters a person may type inside a phone number besides digits and a leading '+'.
_PHONE_SEPARATORS = re.compile(r"[\s\-().\u200c\u200e\u200f]")
_PHONE_SHAPE = re.compile(r"\+?[0-9]{10,14}")
_PHONE_ALLOWED = re.compile(r"\+?[0-9\s\-().\u200c\u200e\u200f]+")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

_CODE_SEPARATORS = re.compile(r"[\s\-]")
CARD_LENGTH = 16


# --------------------------------------------------------------------------------------------- digits


def to_latin_digits(s: str) -> str:
    """Replace Persian (۰-۹) and Arabic-Indic (٠-٩) digits with ASCII 0-9."""
    return s.translate(_TO_LATIN)


def to_persian_digits(s: str) -> str:
    """Replace ASCII and Arabic-Indic digits with Persian digits (۰-۹)."""
    return s.translate(_TO_PERSIAN)


# ----------------------------------------------------------------------------------------------- text

# Line breaks and tabs become spaces; other controls (C0, DEL, C1), bidi overrides and isolates, the BOM,
# noncharacters and lone surrogates are dropped. ZWNJ and ZWJ are kept: Persian writes with them.
_TEXT_SPACES = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
_TEXT_JUNK = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    r"\ufffe\uffff\ud800-\udfff]"
)


def clean_text(s: str) -> str:
    """Text a person typed, as it may be stored: no control characters, no invisible direction overrides,
    line breaks as spaces, stripped.

    Every free text that reaches storage passes here — names (through :func:`normalize_name`), reasons,
    notes, descriptions — so a name can never break a spreadsheet export or hide text behind an override.
    """
    return _TEXT_JUNK.sub("", _TEXT_SPACES.sub(" ", s)).strip()


def _clean_if_text(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


#: A free-text schema field (name, reason, note): cleaned by :func:`clean_text` before its length is checked.
CleanText = Annotated[str, BeforeValidator(_clean_if_text)]
# ------------------------------------------------------------------------------------------ references

#: Invisible marks that ride along when a number is copied out of Persian text (LRM, RLM, ZWNJ, ZWJ, the
#: bidi embeddings and isolates, BOM).
_REFERENCE_INVISIBLE = dict.fromkeys(
    [0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def normalize_reference(s: str) -> str:
    """The one form of a receipt, order or invoice number: «F-۱۰۰۱», «F-١٠٠١», «Ｆ－1001» and « F-1001 »
    are all ``F-1001``. Compatibility forms are folded (NFKC), Persian and Arabic-Indic digits become
    ASCII, invisible bidi marks go and the ends are trimmed; letter case is kept (a web shop's order ids
    may differ only in case)."""
    text = unicodedata.normalize("NFKC", s).translate(_REFERENCE_INVISIBLE)
    return to_latin_digits(text).strip()


# ---------------------------------------------------------------------------------------------- names


def normalize_name(s: str) -> str:
    """Display form of a Persian name or text.

    Arabic yeh/kaf become Persian ی/ک, tatweel, harakat and bidi control marks are removed, ZWNJ is
    tidied (no leading/trailing/duplicate ZWNJ and none next to a space), whitespace is collapsed to
    single spaces and the result is stripped; control characters are dropped first (:func:`clean_text`).
    """
    text = clean_text(s).translate(_NAME_TABLE)
    words: list[str] = []
    for word in text.split():
        word = _ZWNJ_RUN.sub(ZWNJ, word).strip(ZWNJ)
        if word:
            words.append(word)
    return " ".join(words)


def search_key(s: str) -> str:
    """Form of a name used for matching (not for display).

    «محمد‌رضا» (with ZWNJ) and «محمد رضا» give the same key, as do «علي» and «علی». Compatibility
    forms (Arabic presentation forms, full-width characters) are folded with NFKC first.
    """
    text = normalize_name(unicodedata.normalize("NFKC", s))
    text = to_latin_digits(text.replace(ZWNJ, " ")).casefold()
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------- phones


def looks_like_phone(s: str) -> bool:
    """Cheap check: 10-14 digits (any digit system), optionally a leading '+', after dropping separators."""
    compact = _PHONE_SEPARATORS.sub("", to_latin_digits(s.strip()))
    return _PHONE_SHAPE.fullmatch(compact) is not None


def normalize_phone(raw: str) -> str:
    """E.164 form of a mobile number (default region Iran); raise :class:`InvalidPhone` otherwise.

    Accepts 0912…, +98912…, 0098…, 98912…, 912…, with spaces, dashes, dots and parentheses and with
    Persian or Arabic-Indic digits. Foreign numbers must be written with '+' or '00' and be mobiles.
    """
    text = to_latin_digits(raw.strip())
    if not text or _PHONE_ALLOWED.fullmatch(text) is None:
        raise InvalidPhone()
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact.lstrip("+"):
        raise InvalidPhone()
    # 98 + ten-digit Iranian national number, written without '+' or '00'.
    if compact.startswith("98") and len(compact) == 12:
        compact = "+" + compact
    try:
        number = phonenumbers.parse(compact, DEFAULT_REGION)
    except NumberParseException:
        raise InvalidPhone() from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhone()
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def local_mobile(e164: str | None) -> str:
    """``+989121234567`` → ``09121234567``, the form people recognise and type; foreign numbers keep
    their ``+country`` code."""
    if e164 and e164.startswith("+98"):
        return "0" + e164[3:]
    return e164 or ""


# ------------------------------------------------------------------------------------- national codes


def _national_code_ok(code: str) -> bool:
    digits = [int(c) for c in code]
    r = sum(digits[i] * (10 - i) for i in range(9)) % 11
    return digits[9] == (r if r < 2 else 11 - r)


def normalize_national_code(raw: str) -> str:
    """Ten-digit Iranian national code (کد ملی); raise :class:`InvalidNationalCode` if it is not valid.

    Codes of 8 or 9 digits are left-padded with zeros (leading zeros are often lost in spreadsheets);
    codes made of a single repeated digit are rejected even though their checksum holds.
    """
    code = _CODE_SEPARATORS.sub("", to_latin_digits(raw.strip()))
    if not code.isascii() or not code.isdigit() or not 8 <= len(code) <= 10:
        raise InvalidNationalCode("a national code is 10 digits", "کد ملی ۱۰ رقم است")
    code = code.zfill(10)
    if len(set(code)) == 1:
        raise InvalidNationalCode(
            "all its digits are the same: a code of one repeated digit is never a real national code",
            "همهٔ رقم‌هایش یکسان است: کد ملی با یک رقم تکراری هرگز کد واقعی نیست",
        )
    if not _national_code_ok(code):
        raise InvalidNationalCode()
    return code


# ----------------------------------------------------------------------------------------------- cards


def luhn_check_digit(digits: str) -> str:
    """The Luhn check digit to append to ``digits`` (ASCII digits only)."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("luhn_check_digit needs a non-empty string of ASCII digits")
    total = 0
    # The rightmost payload digit is the one doubled once the check digit is appended.
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _card_digits(s: str) -> str:
    return _CODE_SEPARATORS.sub("", to_latin_digits(s.strip()))


def is_valid_card_number(s: str) -> bool:
    """True if ``s`` (any digit system, spaces/dashes allowed) is 16 digits with a valid Luhn digit."""
    digits = _card_digits(s)
    if len(digits) != CARD_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def normalize_card_number(raw: str) -> str | None:
    """The 16 ASCII digits of a valid card number, or ``None`` if ``raw`` is not one."""
    digits = _card_digits(raw)
    return digits if is_valid_card_number(digits) else None


def new_card_number(rng: random.Random | None = None) -> str:
    """A fresh 16-digit card number: non-zero first digit, Luhn check digit last.

    Uses :mod:`secrets` unless a seeded ``rng`` is given (tests, fixtures).
    """

    def below(n: int) -> int:
        return rng.randrange(n) if rng is not None else secrets.randbelow(n)

    body = str(1 + below(9)) + "".join(str(below(10)) for _ in range(CARD_LENGTH - 2))
    return body + luhn_check_digit(body)
