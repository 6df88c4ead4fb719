"""``bashgah report NAME``: a table on the terminal, CSV and XLSX files, Persian or English."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook
from report_factories import add_member, add_purchase, days_ago

from bashgah.core.db import Database
from support import Cli, Club


async def _two_buyers(db: Database, club: Club) -> tuple[int, int]:
    big = await add_member(db, club.tenant_id, "Big")
    small = await add_member(db, club.tenant_id, "Small")
    for d in (2, 9, 16):
        await add_purchase(db, club.tenant_id, big, days_ago(d), 900_000)
    await add_purchase(db, club.tenant_id, small, days_ago(40), 100_000)
    return big, small


async def test_report_as_csv_and_xlsx(db: Database, club: Club, cli: Cli, tmp_path: Path) -> None:
    big, small = await _two_buyers(db, club)
    out = tmp_path / "pareto.csv"
    result = await cli(
        "report",
        "pareto",
        "-t",
        "alpha",
        "-f",
        "csv",
        "-o",
        str(out),
        "--as-of",
        "2026-01-01",
    )
    assert result.exit_code == 0, result.output
    assert f"pareto: 1 rows written to {out}" in result.stdout
    with out.open(encoding="utf-8-sig", newline="") as f:
        header, row = list(csv.reader(f))
    assert header[:3] == ["Rank", "Member", "Name"]
    assert row[:5] == ["1", str(big), "Big", "+98912" + row[3][6:], "2700000"]

    book_path = tmp_path / "rfm.xlsx"
    result = await cli(
        "report",
        "rfm",
        "-f",
        "xlsx",
        "-o",
        str(book_path),
        "--lang",
        "fa",
        "--as-of",
        "2026-01-01",
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(book_path, read_only=True)
    assert book.sheetnames == ["گروه‌ها", "اعضا"]
    members = list(book["اعضا"].iter_rows(values_only=True))
    assert members[0][0] == "عضو"
    # Of two members the better ranks 2nd: 1 + 5 · 1 // 2 = 3 on R, F and M → need attention.
    assert [(r[0], r[-1]) for r in members[1:]] == [(big, "need_attention"), (small, "lost")]


async def test_report_on_the_terminal_and_bad_names(db: Database, club: Club, cli: Cli) -> None:
    await _two_buyers(db, club)
    result = await cli("report", "churn", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    assert "Churn risk" in result.stdout and "Big" in result.stdout
    unknown = await cli("report", "nonsense")
    assert unknown.exit_code == 2 and "unknown report" in unknown.output
    no_file = await cli("report", "rfm", "--format", "csv")
    assert no_file.exit_code == 2 and "--output" in no_file.output
