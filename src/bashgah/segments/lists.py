"""A static segment's list file read into mobiles (no database here)."""

from __future__ import annotations

from dataclasses import dataclass

from bashgah.core.errors import InvalidPhone
from bashgah.core.normalize import normalize_phone
from bashgah.importing.report import RowError, Words
from bashgah.importing.sources import Table as ImportTable


@dataclass
class MobileList:
    """The mobiles of a list file (E.164, first line each appears on) and its problems."""

    mobiles: dict[str, int]
    errors: list[RowError]
    #: The mobile column's header as the file writes it.
    label: str


def read_mobiles(table: ImportTable) -> MobileList:
    """Read the ``mobile`` column of a list file; no database here."""
    column = table.index["mobile"]
    label = table.label("mobile")
    mobiles: dict[str, int] = {}
    errors: list[RowError] = []
    for line, cells in table.rows:
        raw = cells[column].strip() if column < len(cells) else ""
        if not raw:
            errors.append(
                RowError(line, label, Words("the mobile number is missing", "شماره موبایل نوشته نشده است"))
            )
            continue
        try:
            mobiles.setdefault(normalize_phone(raw), line)
        except InvalidPhone:
            errors.append(
                RowError(line, label, Words("not a valid mobile number", "شماره موبایل معتبر نیست"))
            )
    return MobileList(mobiles, errors, label)
