"""``bashgah segments list|show|count|export|import``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.cli.common import (
    ExportFileArg,
    ExportLangOpt,
    Language,
    TenantOpt,
    run,
    run_export,
    tenant_id,
)
from bashgah.cli.data import FileArg, LangOpt, _club_language, _reject
from bashgah.core.db import Database
from bashgah.importing.report import ImportRejected, errors_path
from bashgah.models import Segment
from bashgah.segments import service

segments_app = typer.Typer(help="Segments: groups of members by conditions or by list.", no_args_is_help=True)

SegmentArg = Annotated[int, typer.Argument(help="The segment's id (see `bashgah segments list`).")]


@segments_app.command("list")
def list_command(tenant: TenantOpt = None) -> None:
    """List the club's segments."""

    async def work(db: Database) -> Table:
        async with db.transaction() as session:
            table = Table("id", "name", "kind", "updated")
            for segment in await service.list_segments(session, await tenant_id(session, tenant)):
                table.add_row(
                    str(segment.id), segment.name, segment.kind, segment.updated_at.strftime("%Y-%m-%d")
                )
            return table

    Console().print(run(work))


@segments_app.command("show")
def show_command(segment: SegmentArg, tenant: TenantOpt = None) -> None:
    """Show a segment, its definition (as JSON) and how many members it has now."""

    async def work(db: Database) -> tuple[Segment, int]:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            found = await service.get(session, tid, segment)
            return found, await service.count(session, tid, segment)

    found, count = run(work)
    print(f"segment {found.id}: {found.name} ({found.kind}), {count:,} members")
    if found.description:
        print(found.description)
    if found.definition is not None:
        print(json.dumps(found.definition, ensure_ascii=False, indent=2))


@segments_app.command("count")
def count_command(segment: SegmentArg, tenant: TenantOpt = None) -> None:
    """Print how many members the segment has now."""

    async def work(db: Database) -> int:
        async with db.transaction() as session:
            return await service.count(session, await tenant_id(session, tenant), segment)

    print(run(work))


@segments_app.command("export")
def export_command(
    segment: SegmentArg,
    file: ExportFileArg,
    tenant: TenantOpt = None,
    lang: ExportLangOpt = Language.en,
) -> None:
    """Export the segment's members with the members export's columns (they import back)."""

    async def write(session: AsyncSession, tid: int) -> int:
        return await service.export(session, tid, segment, file, lang.value)

    count = run_export(tenant, file, write, "segments.exported", ("segment", segment))
    print(f"segment {segment}: {count:,} members written to {file}")


@segments_app.command("import")
def import_command(
    segment: SegmentArg,
    file: FileArg,
    replace: Annotated[
        bool, typer.Option(help="Make the file's members the segment's only members.")
    ] = False,
    tenant: TenantOpt = None,
    lang: LangOpt = None,
) -> None:
    """Add the members listed in a file (a mobile column, any form) to a static segment. Any bad or unknown
    mobile rejects the whole file: the problems are printed and written to FILE.errors.csv."""

    async def work(db: Database) -> tuple[service.StaticChange | ImportRejected, str]:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            chosen = lang.value if lang else await _club_language(session, tid)
            try:
                return await service.import_file(session, tid, segment, file, replace), chosen
            except ImportRejected as rejected:
                return rejected, chosen

    result, chosen = run(work)
    if isinstance(result, ImportRejected):
        _reject(file, result, chosen)
        return
    stale = errors_path(file)
    if stale.exists():
        stale.unlink()
    removed = f", {result.removed:,} removed" if replace else ""
    print(f"segment {segment}: {result.added:,} added, {result.already:,} already in it{removed}")
