"""Cells as people type them: amounts, dates and times, yes/no — any digits, Jalali or Gregorian."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bashgah.core.errors import InvalidInput
from bashgah.importing import values
from bashgah.importing.columns import MEMBER_COLUMNS, PURCHASE_COLUMNS
from bashgah.importing.report import ImportRejected
from bashgah.importing.sources import map_header, read_file


@pytest.mark.parametrize(
    ("raw", "rials"),
    [
        ("1250000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("۱٬۲۵۰٬۰۰۰", 1_250_000),
        ("١٢٥٠٠٠٠", 1_250_000),
        ("1250000.0", 1_250_000),
    ],
)
def test_amounts_in_any_digits_and_separators(raw: str, rials: int) -> None:
    assert values.amount_rials(raw) == rials


@pytest.mark.parametrize("raw", ["", "0", "-5", "12.5", "12 تومان", "abc"])
def test_amounts_that_are_not_a_positive_whole_number_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        values.amount_rials(raw)


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2025-03-30T12:30:00+03:30", datetime(2025, 3, 30, 9, 0, tzinfo=UTC)),
        ("2025-03-30 12:30", datetime(2025, 3, 30, 9, 0, tzinfo=UTC)),  # Tehran time without an offset
        ("2025-03-30T09:00:00Z", datetime(2025, 3, 30, 9, 0, tzinfo=UTC)),
        ("1404/01/10 12:30", datetime(2025, 3, 30, 9, 0, tzinfo=UTC)),
        ("۱۴۰۴/۰۱/۱۰ ۱۲:۳۰:۰۰", datetime(2025, 3, 30, 9, 0, tzinfo=UTC)),
        ("1404-01-10T12:30", datetime(2025, 3, 30, 9, 0, tzinfo=UTC)),
        ("1403/02/31", datetime(2024, 5, 19, 20, 30, tzinfo=UTC)),  # 31 Ordibehesht, midnight in Tehran
        ("1403/12/30", datetime(2025, 3, 19, 20, 30, tzinfo=UTC)),  # 30 Esfand of a leap year
    ],
)
def test_moments_iso_or_jalali_default_to_tehran_time(raw: str, utc: datetime) -> None:
    assert values.moment(raw) == utc


@pytest.mark.parametrize("raw", ["", "30/01/1404", "1404/13/01", "1404/12/30", "2025-02-30", "yesterday"])
def test_impossible_moments_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="occurred_at"):
        values.moment(raw)


@pytest.mark.parametrize(
    ("raw", "given"), [("1", True), ("بله", True), ("Yes", True), ("0", False), ("خیر", False)]
)
def test_yes_and_no(raw: str, given: bool) -> None:
    assert values.yes_no(raw, "sms_consent", "رضایت پیامک") is given


def test_headers_match_in_english_or_persian_whatever_the_spacing() -> None:
    members = map_header(
        ["\ufeffMobile", "نام‌خانوادگی", "First Name", "Birth_Date", "shoe size"], MEMBER_COLUMNS
    )
    assert members.index == {"mobile": 0, "last_name": 1, "first_name": 2, "birth_date": 3}
    assert members.ignored == ["shoe size"]
    purchases = map_header(["کد شعبه", "شماره فاکتور", "مبلغ (ریال)", "تاریخ خرید", "کارت"], PURCHASE_COLUMNS)
    assert set(purchases.index) == {"branch", "external_id", "total_rials", "occurred_at", "card"}


def test_csv_rows_keep_the_line_numbers_an_editor_shows(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(
        "\ufeffmobile;branch;external_id;total_rials;occurred_at\r\n"
        "09121234567;main;R-1;1000;2025-01-01\r\n"
        "\r\n"
        '09121234567;main;"R-2\r\nsecond line";1000;2025-01-01\r\n'
        "09121234567;main;R-3;1000;2025-01-01\r\n".encode()
    )
    table = read_file(path, PURCHASE_COLUMNS)
    assert [(line, cells[2]) for line, cells in table.rows] == [
        (2, "R-1"),
        (4, "R-2\r\nsecond line"),
        (6, "R-3"),
    ]


def test_a_file_that_is_not_utf8_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(
        "mobile,branch,external_id,total_rials,occurred_at\n09121234567,شعبه,R-1,1000,2025-01-01\n".encode(
            "cp1256"
        )
    )
    table = read_file(path, PURCHASE_COLUMNS)
    with pytest.raises(ImportRejected) as rejected:
        list(table.rows)
    assert (
        str(rejected.value.errors[0])
        == "line 2, file: the file is not UTF-8 text: in Excel use Save As → 'CSV UTF-8'"
    )
