"""What a cell of our CSV and XLSX files may hold: never a formula a member typed, never a character that
breaks the file."""

from __future__ import annotations

import io

import pytest

from bashgah.core.sheets import CsvWriter, safe_cell


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil.example","click")', "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1+1", "\r=1"],
)
def test_a_text_a_spreadsheet_would_read_as_a_formula_is_written_as_plain_text(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed


def test_formulas_get_a_leading_apostrophe_and_numbers_and_names_do_not() -> None:
    assert safe_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert safe_cell("@SUM(1)") == "'@SUM(1)"
    assert safe_cell("+98 912 123 4567") == "+98 912 123 4567"
    assert safe_cell("-1,200") == "-1,200"
    assert safe_cell("سارا") == "سارا"
    assert safe_cell(-5) == -5 and safe_cell(None) is None


def test_control_characters_an_xlsx_cannot_hold_are_dropped() -> None:
    assert safe_cell("سارا\x1b\x00 احمدی\x07") == "سارا احمدی"


def test_the_csv_writer_escapes_every_cell() -> None:
    out = io.StringIO()
    CsvWriter(out, lineterminator="\n").writerow(["=1+2", "ok", 3])
    assert out.getvalue() == "'=1+2,ok,3\n"
