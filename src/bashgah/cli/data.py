"""``bashgah import members|purchases FILE`` and ``bashgah export members|purchases|ledger FILE``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.cli.common import (
    ExportFileArg,
    ExportLangOpt,
    Language,
    TenantOpt,
    console,
    run,
    run_export,
    tenant_id,
)
from bashgah.core.db import Database
from bashgah.core.errors import BashgahError
from bashgah.importing import export as exporting
from bashgah.importing.columns import MEMBER_COLUMNS, PURCHASE_COLUMNS
from bashgah.importing.members import import_members, read_members
from bashgah.importing.purchases import import_purchases, read_purchases
from bashgah.importing.report import ImportRejected, errors_path, write_errors
from bashgah.importing.sources import read_file
from bashgah.models import Tenant
from bashgah.web import fmt

import_app = typer.Typer(
    help="Import members or purchases from a CSV (UTF-8) or XLSX file with a header row.",
    no_args_is_help=True,
)

#: Problems printed on the terminal; the rest are in FILE.errors.csv.
SHOWN_ERRORS = 20

FileArg = Annotated[
    Path, typer.Argument(help="A .csv (UTF-8, any delimiter) or .xlsx file; the first row names the columns.")
]


class _Bar:
    """Adapts the importer's progress callback to a rich progress bar (one line per phase)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        task = self.tasks.get(phase)
        if task is None:
            # A new phase means the earlier ones are done, whatever their last report said.
            for other in self.tasks.values():
                finished = max(self.progress.tasks[other].completed, 1)
                self.progress.update(other, total=finished, completed=finished)
            task = self.tasks[phase] = self.progress.add_task(phase, total=total)
        self.progress.update(task, completed=done, total=total)


@contextmanager
def progress_bar() -> Iterator[_Bar]:
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Off when stderr is not a terminal (logs, CI): a live bar would only leave blank lines there.
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        yield _Bar(progress)


LangOpt = Annotated[
    Language | None,
    typer.Option(help="The language of the problems and of FILE.errors.csv (default: the club's)."),
]


def _reject(source: Path, rejected: ImportRejected, lang: str = "en") -> None:
    """Print the problems, write them next to the file and stop with exit code 1."""
    errors = rejected.errors
    fa = lang == "fa"
    for error in errors[:SHOWN_ERRORS]:
        console.print(f"[red]{escape(error.describe(lang))}[/red]", highlight=False, soft_wrap=True)
    if len(errors) > SHOWN_ERRORS:
        more = fmt.number(len(errors) - SHOWN_ERRORS, lang)
        console.print(f"… و {more} مورد دیگر" if fa else f"… and {more} more", highlight=False)
    report = errors_path(source)
    where = ""
    if source.is_file():
        try:
            write_errors(report, errors, lang)
            where = f"؛ فهرست آن‌ها در {report} است" if fa else f"; the list is in {report}"
        except OSError as error:
            where = f" (could not write {report}: {error.strerror})"
    found = (
        rejected.message("fa").rstrip(".") if fa else f"{len(errors)} problem(s) found, nothing was imported"
    )
    console.print(f"[red]{escape(found)}[/red]{escape(where)}", soft_wrap=True, highlight=False)
    raise typer.Exit(1)


async def _club_language(session: Any, tenant: int) -> str:
    return "fa" if await session.scalar(select(Tenant.language).where(Tenant.id == tenant)) == "fa" else "en"


def _import(
    source: Path,
    tenant: str | None,
    read: Callable[..., Any],
    write: Callable[..., Any],
    columns: Any,
    lang: Language | None = None,
) -> Any:
    async def work(db: Database) -> tuple[Any, str]:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            chosen = lang.value if lang else await _club_language(session, tid)
        with progress_bar() as bar:
            try:
                table = read_file(source, columns)
                if table.ignored:
                    names = "، ".join(table.ignored) if chosen == "fa" else ", ".join(table.ignored)
                    ignoring = (
                        "ستون‌های ناشناخته کنار گذاشته شد" if chosen == "fa" else "ignoring unknown column(s)"
                    )
                    console.print(f"{ignoring}: {escape(names)}")
                parsed = read(table, bar)
                async with db.transaction() as session:
                    return await write(session, tid, parsed, bar), chosen
            except ImportRejected as rejected:
                return rejected, chosen
            except BashgahError as error:  # a till recorded the same receipt meanwhile (ImportRaced)…
                return error, chosen

    result, chosen = run(work)
    if isinstance(result, ImportRejected):
        _reject(source, result, chosen)
    if isinstance(result, BashgahError):
        console.print(f"[red]{escape(result.message(chosen))}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(2)
    stale = errors_path(source)
    if stale.exists():
        # The report of an earlier failed attempt no longer describes this file.
        stale.unlink()
    return result


@import_app.command("members")
def import_members_command(file: FileArg, tenant: TenantOpt = None, lang: LangOpt = None) -> None:
    """Enrol the members of a file. Columns: mobile (required), first_name, last_name, birth_date
    (Jalali or Gregorian), national_code, email, gender, tags, sms_consent, card_number, branch, created_at
    (when they joined; their consent is dated with it) — English or Persian headers. Members already
    enrolled (same mobile) are skipped."""
    result = _import(file, tenant, read_members, import_members, MEMBER_COLUMNS, lang)
    print(f"members: {result.created:,} created, {result.skipped:,} skipped (already enrolled)")


@import_app.command("purchases")
def import_purchases_command(file: FileArg, tenant: TenantOpt = None, lang: LangOpt = None) -> None:
    """Record the purchases of a file, earning and spending points as at the till. Columns: branch,
    external_id, total_rials, occurred_at (ISO or Jalali), one of mobile / card / member_id, and
    optionally redeem_points. Receipts already recorded at that branch are skipped."""
    result = _import(file, tenant, read_purchases, import_purchases, PURCHASE_COLUMNS, lang)
    print(
        f"purchases: {result.created:,} created, {result.skipped:,} skipped (already recorded); "
        f"points earned {result.points_earned:,}, redeemed {result.points_redeemed:,}"
    )


class ExportWhat(StrEnum):
    members = "members"
    purchases = "purchases"
    ledger = "ledger"


def export(
    what: Annotated[ExportWhat, typer.Argument(help="What to export.")],
    file: ExportFileArg,
    tenant: TenantOpt = None,
    lang: ExportLangOpt = Language.en,
) -> None:
    """Export members, purchases or the ledger to CSV or XLSX, with the import's column names."""

    async def write(session: AsyncSession, tid: int) -> int:
        with progress_bar() as bar:
            return await exporting.export(session, tid, what.value, file, lang.value, bar)

    count = run_export(tenant, file, write, f"data.{what.value}_exported", ("export", None))
    print(f"{what.value}: {count:,} rows written to {file}")
