"""Every cell a CSV or XLSX file of ours holds goes through :func:`safe_cell` (one place for every writer).

A text a member typed (``=HYPERLINK("http://…","click")``) must never become a formula when a manager
opens the file in Excel or LibreOffice: a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with a leading apostrophe, which spreadsheets show as plain text (OWASP's
advice for CSV injection). Numbers such as ``+98 912…`` or ``-1,200`` are left as they are. Characters an
XLSX file may not hold (control characters) are dropped, so an old dirty name cannot fail an export.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

#: What makes a spreadsheet read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+\-]?[0-9\s.,()]*")
#: Characters XML 1.0 (hence XLSX) cannot hold: C0 controls but tab, newline and carriage return.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def safe_cell(value: Any) -> Any:
    """``value`` as it may be written in a cell: non-texts unchanged, texts without illegal characters and
    never read as a formula."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub("", value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER_LIKE.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class CsvWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, file: _Writable, **options: Any) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)
