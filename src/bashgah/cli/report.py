"""``bashgah report NAME``: a report on the terminal, or written to a CSV or XLSX file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from bashgah.analytics import export
from bashgah.analytics.reports import REPORTS, Params, Report, run_report
from bashgah.auth.service import Principal
from bashgah.cli.common import TenantOpt, console, operator, run, tenant_id
from bashgah.core.db import Database
from bashgah.core.errors import BashgahError
from bashgah.core.jalali import parse_until
from bashgah.exports import service as exports


class Format(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def report(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(REPORTS)}")],
    tenant: TenantOpt = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table | csv | xlsx")] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (csv/xlsx)")] = None,
    lang: Annotated[str, typer.Option(help="fa | en: labels, month names and dates")] = "en",
    window_days: Annotated[int, typer.Option(help="Days of purchases the report looks at")] = 365,
    k: Annotated[float, typer.Option(help="churn: overdue when days since > k × mean gap")] = 2.0,
    months: Annotated[int, typer.Option(help="cohorts: enrolment months shown")] = 12,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="The report's moment (default: now): a day — 2026-03-20 or 1404/12/29 — means the end of"
            " that day in Tehran; a date and time without an offset is Tehran time",
        ),
    ] = None,
    store_revenue: Annotated[
        int | None, typer.Option(help="health: the shop's whole revenue in the window (rials)")
    ] = None,
    rows: Annotated[int, typer.Option(help="table: rows shown per table")] = 50,
) -> None:
    """Print a report, or write it as CSV (its main table) or XLSX (every table)."""
    if name not in REPORTS:
        raise typer.BadParameter(f"unknown report {name!r}; one of {', '.join(REPORTS)}", param_hint="NAME")
    if lang not in ("fa", "en"):
        raise typer.BadParameter("fa or en", param_hint="--lang")
    if format is not Format.table and output is None:
        raise typer.BadParameter("give --output FILE for csv or xlsx", param_hint="--output")
    try:
        moment = parse_until(as_of) if as_of else None
    except BashgahError as error:
        raise typer.BadParameter(error.message("en"), param_hint="--as-of") from None
    params = Params(
        as_of=moment,
        window_days=window_days,
        k=k,
        months=months,
        store_revenue_rials=store_revenue,
    )

    async def work(db: Database) -> Report:
        async with db.transaction() as session:
            who = Principal(await tenant_id(session, tenant), "owner", None, None)
            return await run_report(session, who, name, lang, params)

    result = run(work)
    if format is Format.table:
        out = Console()
        for table in result.tables:
            shown = RichTable(*(f.label(lang) for f in table.fields), title=table.title(lang))
            for row in table.rows[:rows]:
                shown.add_row(*(_cell(v) for v in row))
            out.print(shown)
            if len(table.rows) > rows:
                console.print(f"… {len(table.rows) - rows} more rows; use --output to get them all")
        return
    assert output is not None
    if output.suffix.lower() != f".{format.value}":
        output = output.with_suffix(f".{format.value}")
    written = export.write(result, output)

    async def audit(db: Database) -> None:
        async with db.transaction() as session:
            who = operator(await tenant_id(session, tenant))
            await exports.record(session, who, "reports.exported", "report", name, written, format.value)

    run(audit)
    print(f"{name}: {written} rows written to {output}")
