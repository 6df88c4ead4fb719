"""Helpers for the import/export tests: small file writers and database counts."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bashgah.core.db import Database
from bashgah.importing.columns import MEMBER_COLUMNS
from bashgah.importing.members import import_members, read_members
from bashgah.importing.sources import from_records
from support import Cli as Cli  # the type of the ``cli`` fixture, named by the tests from here
from support import Club


def write_csv(path: Path, rows: Sequence[Sequence[Any]], bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


async def enrol_all(db: Database, club: Club, *mobiles: str) -> None:
    """Members with these mobiles, through the members importer."""
    records = [{"mobile": m, "first_name": "عضو", "last_name": str(n)} for n, m in enumerate(mobiles)]
    async with db.transaction() as session:
        await import_members(session, club.tenant_id, read_members(from_records(records, MEMBER_COLUMNS)))


async def count(db: Database, model: Any) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
