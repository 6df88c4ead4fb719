"""Helpers shared by the CLI commands: the database, the tenant, one transaction per command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.config import get_settings
from bashgah.core.db import Database
from bashgah.core.errors import BashgahError
from bashgah.exports import service as exports
from bashgah.models import Tenant

T = TypeVar("T")
console = Console(stderr=True)

TenantOpt = Annotated[
    str | None,
    typer.Option(
        "--tenant", "-t", envvar="BASHGAH_TENANT", help="Tenant slug (the only tenant when left out)."
    ),
]


class Language(StrEnum):
    en = "en"
    fa = "fa"


#: The file an export writes, and the language of its headers and dates.
ExportFileArg = Annotated[Path, typer.Argument(help="Where to write: a .csv or .xlsx file.")]
ExportLangOpt = Annotated[
    Language, typer.Option(help="en: English headers, ISO dates; fa: Persian headers, Jalali dates.")
]


def run_export(
    tenant: str | None,
    file: Path,
    write: Callable[[AsyncSession, int], Awaitable[int]],
    action: str,
    subject: tuple[str, int | str | None],
) -> int:
    """Write an export of the club with ``write(session, tenant_id)`` (it returns the rows written) and note
    the download in the audit log as ``action`` on ``subject`` (its type and id), in one transaction."""
    if file.suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise typer.BadParameter("the file name must end in .csv or .xlsx", param_hint="FILE")

    async def work(db: Database) -> int:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            rows = await write(session, tid)
            await exports.record(session, operator(tid), action, *subject, rows, file_format(file))
            return rows

    return run(work)


def operator(tenant: int) -> Principal:
    """Who a command acts as: the server's operator, with an owner's rights (the audit log says ``cli``)."""
    return Principal(tenant_id=tenant, role="owner", branch_id=None, key_id=None)


def file_format(path: Path) -> str:
    """``xlsx`` or ``csv``, as the audit log names a written file."""
    return "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"


def database() -> Database:
    settings = get_settings()
    return Database(settings.database_url, pool_size=4)


async def tenant_id(session: AsyncSession, slug: str | None) -> int:
    if slug:
        found = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        if found is None:
            raise typer.BadParameter(f"no tenant with slug {slug!r}", param_hint="--tenant")
        return found
    ids = (await session.scalars(select(Tenant.id).limit(2))).all()
    if len(ids) != 1:
        raise typer.BadParameter("give --tenant (there is not exactly one tenant)", param_hint="--tenant")
    return ids[0]


def run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run an async command body with its own database, turning domain errors into a clean exit."""

    async def main() -> T:
        db = database()
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except BashgahError as error:
        console.print(f"[red]error:[/red] {error.message('en')}")
        raise typer.Exit(2) from error
