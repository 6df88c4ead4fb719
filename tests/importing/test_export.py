"""``bashgah export``: files people can read, which import back as "all skipped"."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from import_helpers import Cli, count, write_csv
from openpyxl import load_workbook
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.models import AuditEntry, Member, Purchase, Transfer
from support import Club

MEMBERS = [
    ["mobile", "first_name", "last_name", "birth_date", "national_code", "tags", "sms_consent"],
    ["09121234567", "سارا", "محمدی", "1370/05/12", "0012345679", "VIP", "1"],
    ["09351112233", "رضا", "کریمی", "", "", "", "0"],
]
PURCHASES = [
    ["mobile", "branch", "external_id", "total_rials", "occurred_at", "redeem_points"],
    ["09121234567", "main", "R-1", "1250000", "2025-01-01 10:00", ""],
    ["09351112233", "online", "W-1", "300000", "1403/10/20 18:45", ""],
    ["09121234567", "main", "R-2", "400000", "2025-02-01 11:00", "20"],
]


def read_rows(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True).worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture
async def filled(db: Database, shop: Club, cli: Cli, tmp_path: Path) -> Club:
    for kind, rows in (("members", MEMBERS), ("purchases", PURCHASES)):
        result = await cli("import", kind, str(write_csv(tmp_path / f"{kind}.csv", rows)), "-t", "alpha")
        assert result.exit_code == 0, result.output
    return shop


@pytest.mark.parametrize(("name", "lang"), [("out.csv", "en"), ("out.xlsx", "fa")])
async def test_exported_members_import_back_as_all_skipped(
    db: Database, filled: Club, cli: Cli, tmp_path: Path, name: str, lang: str
) -> None:
    path = tmp_path / name
    result = await cli("export", "members", str(path), "-t", "alpha", "--lang", lang)
    assert result.exit_code == 0, result.output
    assert "members: 2 rows written" in result.stdout
    header, sara, _ = read_rows(path)
    if lang == "fa":
        assert header[:4] == ["شناسه عضو", "موبایل", "نام", "نام خانوادگی"]
        assert sara[1:5] == ["09121234567", "سارا", "محمدی", "1370/05/12"]
    else:
        assert header[:5] == ["member_id", "mobile", "first_name", "last_name", "birth_date"]
        assert sara[1:5] == ["09121234567", "سارا", "محمدی", "1991-08-03"]
    # Her points after the import: 125 + 38 earned, 20 spent.
    assert sara[header.index("points" if lang == "en" else "امتیاز")] == str(125 + 38 - 20)

    again = await cli("import", "members", str(path), "-t", "alpha")
    assert again.exit_code == 0, again.output
    assert "members: 0 created, 2 skipped" in again.stdout
    assert "ignoring" not in again.output
    assert await count(db, Member) == 2


@pytest.mark.parametrize(("name", "lang"), [("out.csv", "en"), ("out.xlsx", "fa")])
async def test_exported_purchases_import_back_as_all_skipped(
    db: Database, filled: Club, cli: Cli, tmp_path: Path, name: str, lang: str
) -> None:
    path = tmp_path / name
    result = await cli("export", "purchases", str(path), "-t", "alpha", "--lang", lang)
    assert result.exit_code == 0, result.output
    rows = read_rows(path)
    assert len(rows) == 4
    when = rows[1][rows[0].index("occurred_at" if lang == "en" else "تاریخ")]
    assert when == ("2025-01-01T10:00:00+03:30" if lang == "en" else "1403/10/12 10:00:00")

    again = await cli("import", "purchases", str(path), "-t", "alpha")
    assert again.exit_code == 0, again.output
    assert "purchases: 0 created, 3 skipped" in again.stdout
    assert await count(db, Purchase) == 3


async def test_the_ledger_export_has_a_line_per_transfer(
    db: Database, filled: Club, cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "ledger.csv"
    result = await cli("export", "ledger", str(path), "-t", "alpha")
    assert result.exit_code == 0, result.output
    header, *lines = read_rows(path)
    assert len(lines) == await count(db, Transfer) == 4
    codes = [(line[header.index("code")], line[header.index("amount")]) for line in lines]
    assert codes == [("earn", "125"), ("earn", "30"), ("redeem", "20"), ("earn", "38")]
    redeem = dict(zip(header, lines[2], strict=True))
    assert redeem["debit_account"].startswith("member ") and redeem["credit_account"] == "redemption"
    assert redeem["mobile"] == "09121234567" and redeem["reason"] == "#R-2"
    async with db.transaction() as session:
        logged = (await session.execute(select(AuditEntry.action, AuditEntry.summary))).all()
    assert [tuple(row) for row in logged] == [
        ("data.ledger_exported", {"rows": 4, "format": "csv", "via": "cli"})
    ]


async def test_export_refuses_a_file_type_it_cannot_write(filled: Club, cli: Cli, tmp_path: Path) -> None:
    result = await cli("export", "members", str(tmp_path / "out.json"), "-t", "alpha")
    assert result.exit_code == 2
    assert ".csv or .xlsx" in result.output
