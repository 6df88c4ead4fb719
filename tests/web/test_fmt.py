"""Amounts on pages and in forms in the club's unit — toman, rial or the new rial of the redenomination
law (10,000 of today's rials, in 100 qeran) — stored as integer rials, exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bashgah.core.errors import InvalidInput
from bashgah.web import fmt, forms
from bashgah.web.fmt import rials_as_typed
from bashgah.web.forms import FormProblem, typed_rials


def test_an_amount_is_shown_in_the_clubs_unit_in_persian_and_english() -> None:
    assert fmt.money(1_250_000, "fa", "toman") == "۱۲۵٬۰۰۰ تومان"
    assert fmt.money(1_250_000, "fa", "rial") == "۱٬۲۵۰٬۰۰۰ ریال"
    assert fmt.money(1_250_000, "fa", "new_rial") == "۱۲۵ ریال جدید"
    assert fmt.money(1_255_000, "fa", "new_rial") == "۱۲۵٫۵۰ ریال جدید"
    assert fmt.money(12_345_678_900, "fa", "new_rial") == "۱٬۲۳۴٬۵۶۷٫۸۹ ریال جدید"
    assert fmt.money(1_255_000, "en", "new_rial") == "125.50 new rials"
    assert fmt.money(1_250_000, "en", "new_rial") == "125 new rials"
    # A stored amount below a qeran (an old price of 1,234,567 rials) is shown to the nearest qeran.
    assert fmt.money(1_234_567, "en", "new_rial") == "123.46 new rials"
    assert fmt.unit_name("new_rial", "fa") == "ریال جدید"


@pytest.mark.parametrize(
    ("typed", "unit", "rials"),
    [
        ("125.50", "new_rial", 1_255_000),
        ("۱۲۵٫۵", "new_rial", 1_255_000),
        ("1,250", "new_rial", 12_500_000),
        ("0.01", "new_rial", 100),  # one qeran
        ("125000.5", "toman", 1_250_005),
        ("۱٬۲۵۰٬۰۰۰", "rial", 1_250_000),
    ],
)
def test_an_amount_typed_in_the_clubs_unit_is_stored_as_exact_rials(
    typed: str, unit: str, rials: int
) -> None:
    assert forms.amount_rials({"total": typed}, "total", unit, "مبلغ") == rials
    assert typed_rials(typed, unit, "Total", "مبلغ") == rials


@pytest.mark.parametrize(
    ("typed", "unit"), [("125.505", "new_rial"), ("0.001", "new_rial"), ("12.55", "toman"), ("1.5", "rial")]
)
def test_more_decimals_than_the_unit_has_are_refused_never_rounded(typed: str, unit: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        forms.amount_rials({"total": typed}, "total", unit, "مبلغ")
    places = fmt.unit_of(unit).decimals
    assert f"حداکثر {fmt.number(places, 'fa')} رقم اعشار" in fmt.error(refused.value, "fa", unit)
    with pytest.raises(FormProblem):
        typed_rials(typed, unit, "Total", "مبلغ")


def test_an_amount_is_typed_back_into_a_form_in_the_clubs_unit() -> None:
    assert rials_as_typed(1_255_000, "new_rial") == "125.5"
    assert rials_as_typed(1_250_000, "new_rial") == "125"
    assert rials_as_typed(1_250_005, "toman") == "125000.5"
    assert rials_as_typed(1_250_000, "rial") == "1250000"
    for unit in fmt.UNITS:
        typed = rials_as_typed(3_000_000, unit)
        assert typed_rials(typed, unit, "Total", "مبلغ") == 3_000_000


def test_a_day_written_with_digits_keeps_its_order_in_a_persian_report_and_explanation() -> None:
    from datetime import date

    from bashgah.programme import conditions
    from bashgah.programme.schemas import DateRange
    from bashgah.web.console.reports import Cells

    cell = Cells("fa", "toman")
    assert cell("last_purchase", "2025-04-04") == '<bdi dir="ltr">۲۰۲۵-۰۴-۰۴</bdi>'
    assert cell("last_purchase", "1404/01/15") == '<bdi dir="ltr">۱۴۰۴/۰۱/۱۵</bdi>'
    assert cell("first_day", date(2026, 3, 21)) == "۱ فروردین ۱۴۰۵"
    assert Cells("en", "toman")("last_purchase", "2025-04-04") == '<bdi dir="ltr">2025-04-04</bdi>'
    assert str(fmt.ltr("<x>")) == '<bdi dir="ltr">&lt;x&gt;</bdi>'
    # The campaign explanation of a date range, in Persian: each date isolated, in Persian digits.
    window = DateRange(type="date_range", start=date(2026, 4, 1), end=date(2026, 4, 30))
    facts = conditions.Facts(at=datetime(2026, 3, 21, 8, 0, tzinfo=UTC), member=conditions.MemberFacts())
    why = conditions.check(window, facts).why("fa")
    assert why == "\u2066۲۰۲۶-۰۳-۲۱\u2069 پیش از \u2066۲۰۲۶-۰۴-۰۱\u2069 است"


def test_a_code_keeps_its_own_digits_left_to_right_and_a_card_reads_in_groups_of_four() -> None:
    assert fmt.code("VNK-005957", "fa") == "\u2066VNK-005957\u2069"
    assert fmt.code("6KWDFMDY", "en") == "6KWDFMDY"
    assert fmt.card("1000568972298156", "fa") == "\u20661000 5689 7229 8156\u2069"
    assert fmt.card("1000568972298156", "en") == "1000 5689 7229 8156"


def test_a_gregorian_example_in_a_persian_sentence_stays_isolated_markup() -> None:
    from markupsafe import Markup

    from bashgah.web.i18n import translator

    _ = translator("fa", "console")
    said = _(
        "The birthday may be typed Jalali (%(jalali)s) or Gregorian (%(gregorian)s).",
        jalali=fmt.ltr("۱۳۷۰/۰۵/۱۲"),
        gregorian=fmt.ltr("1991-08-03"),
    )
    assert isinstance(said, Markup) and '(<bdi dir="ltr">1991-08-03</bdi>)' in said and "میلادی" in said
