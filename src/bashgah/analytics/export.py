"""Reports as CSV or XLSX files or JSON, with the project's export conventions (BOM for Excel, RTL in Persian).

A CSV holds one table (the report's main one unless another is named); an XLSX holds every table of
the report, one sheet each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bashgah.analytics.reports import Report, Table
from bashgah.core.sheets import safe_row
from bashgah.exports.service import is_personal
from bashgah.importing.columns import Column
from bashgah.importing.export import sink_for

#: The table a CSV holds when none is named: the one a person would sort and filter.
MAIN_TABLE = {"health": "summary"}


def main_table(report: Report) -> Table:
    name = MAIN_TABLE.get(report.name)
    return report.table(name) if name else report.tables[-1]


def _columns(table: Table) -> list[Column]:
    return [Column(f.en, f.fa) for f in table.fields]


def tables_written(report: Report, file_format: str, table: str | None = None) -> list[Table]:
    """The tables a file of ``report`` holds: every one in an XLSX, one in a CSV."""
    if file_format == "xlsx":
        return list(report.tables)
    return [report.table(table) if table else main_table(report)]


def holds_personal_data(report: Report, file_format: str, table: str | None = None) -> bool:
    """Whether a ``file_format`` file of ``report`` would carry members' names or mobiles (a download
    only owners and managers may take, see :mod:`bashgah.exports.service`)."""
    return any(is_personal(f.key for f in t.fields) for t in tables_written(report, file_format, table))


def write_csv(report: Report, path: Path, table: Table | None = None) -> int:
    """Write one table of ``report`` to ``path`` (.csv); return the row count."""
    chosen = table or main_table(report)
    sink = sink_for(path, _columns(chosen), report.lang, chosen.name)
    try:
        for row in chosen.rows:
            sink.write(row)
    finally:
        sink.close()
    return len(chosen.rows)


def write_xlsx(report: Report, path: Path) -> int:
    """Write every table of ``report`` to ``path`` (.xlsx), one sheet each; return the row count."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows = 0
    for table in report.tables:
        # Excel sheet names: at most 31 characters.
        sheet = book.create_sheet(table.title(report.lang)[:31])
        sheet.sheet_view.rightToLeft = report.lang == "fa"
        sheet.append(safe_row(f.label(report.lang) for f in table.fields))
        for row in table.rows:
            sheet.append(safe_row(row))
        rows += len(table.rows)
    book.save(path)
    return rows


def as_json(report: Report, limit: int) -> dict[str, Any]:
    """The report with each table's first ``limit`` rows as objects keyed by column."""
    return {
        "report": report.name,
        "as_of": report.as_of.isoformat(),
        "params": report.params,
        "tables": [
            {
                "name": table.name,
                "title": table.title(report.lang),
                "columns": [{"key": f.key, "label": f.label(report.lang)} for f in table.fields],
                "total_rows": len(table.rows),
                "rows": table.as_dicts(limit),
            }
            for table in report.tables
        ],
    }


def write(report: Report, path: Path, table: str | None = None) -> int:
    """Write ``report`` to ``path``: .xlsx (every table) or .csv (the main table, or ``table``)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(report, path)
    if suffix == ".csv":
        return write_csv(report, path, report.table(table) if table else None)
    raise ValueError("the file name must end in .csv or .xlsx")
