"""Every message of the web pages is translated; numbers, money and dates are written the local way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from babel.messages.pofile import read_po

from bashgah.web import fmt
from bashgah.web.i18n import DOMAINS, LANGUAGES, translator
from bashgah.web.messages import extract, po_path


def _translations(lang: str, domain: str) -> dict[str, str]:
    with po_path(lang, domain).open("rb") as po:
        return {str(m.id): str(m.string) for m in read_po(po, locale=lang, domain=domain) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_a_page_uses_has_a_translation(domain: str, lang: str) -> None:
    own, common = _translations(lang, domain), _translations(lang, "common")
    missing = [
        str(m.id) for m in extract(domain) if m.id and not (own.get(str(m.id)) or common.get(str(m.id)))
    ]
    assert missing == [], f"untranslated in {lang}/{domain}.po (run `make messages`, then translate)"


def test_a_page_face_falls_back_to_the_shared_catalogue() -> None:
    assert translator("fa", "pos")("Sign out") == "خروج"
    assert translator("en", "pos")("Sign out") == "Sign out"
    assert translator("fa", "console")("Signed in as %(name)s.", name="x") == "با نام x وارد شده‌اید."


def test_persian_numbers_have_persian_digits_and_separators() -> None:
    assert fmt.number(1234567, "fa") == "۱٬۲۳۴٬۵۶۷"
    assert fmt.number(1234567, "en") == "1,234,567"


def test_amounts_follow_the_clubs_unit() -> None:
    assert fmt.money(1_250_000, "fa", "toman") == "۱۲۵٬۰۰۰ تومان"
    assert fmt.money(1_250_000, "fa", "rial") == "۱٬۲۵۰٬۰۰۰ ریال"
    assert fmt.money(1_250_000, "en", "toman") == "125,000 toman"
    assert fmt.money(12_345, "en", "toman") == "1,234.5 toman"


def test_dates_are_jalali_in_persian_and_gregorian_in_english() -> None:
    assert fmt.day(date(2026, 3, 21), "fa") == "۱ فروردین ۱۴۰۵"
    assert fmt.day(date(2026, 3, 21), "en") == "21 Mar 2026"
    # 21:00 UTC on 20 March is already 21 March (Nowruz) in Tehran.
    assert fmt.moment(datetime(2026, 3, 20, 21, 0, tzinfo=UTC), "fa") == "۱ فروردین ۱۴۰۵، ۰۰:۳۰"
