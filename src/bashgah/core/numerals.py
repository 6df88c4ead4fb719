"""Numbers written for a reader in their language's script: Persian digits and separators in Persian,
Latin in English. The pages' formatting (``web.fmt``) and the domains' plain-text messages (an import's
error report) both build on these, so a domain never reaches up into the web layer to write a number."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from bashgah.core.normalize import to_persian_digits

#: Persian thousands separator (U+066C) and decimal separator (U+066B).
FA_SEPARATORS = str.maketrans({",": "\u066c", ".": "\u066b"})


def in_script(text: str, lang: str) -> str:
    """Latin-written figures (``1,234.5``) in the script of ``lang``."""
    return to_persian_digits(text).translate(FA_SEPARATORS) if lang == "fa" else text


def number(value: int | Decimal, lang: str) -> str:
    """``1234567`` → ``۱٬۲۳۴٬۵۶۷`` (fa) or ``1,234,567`` (en)."""
    return in_script(format_decimal(value, locale="en"), lang)


def digits(text: object, lang: str) -> str:
    """Any text with its digits in the page's script (a mobile number, a count written as text). Never a
    code: see ``web.fmt.code``."""
    return to_persian_digits(str(text)) if lang == "fa" else str(text)
