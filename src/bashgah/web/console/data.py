"""Import and export in the console: members, purchases and the ledger out as CSV or XLSX; members or
purchases in from a file, with its progress on a page that refreshes itself.

Both call the importer and exporter of the command line (``bashgah import|export``). An import runs as
a task of this process, in one transaction (a rejected file writes nothing); its progress lives in this
process's memory, so a page served by another worker process does not know it — it says so.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from bashgah.auth.sessions import StaffUser
from bashgah.core.db import Database
from bashgah.core.errors import BashgahError, InvalidInput
from bashgah.exports import service as exports
from bashgah.importing import export as exporting
from bashgah.importing.columns import MEMBER_COLUMNS, PURCHASE_COLUMNS
from bashgah.importing.members import import_members, read_members
from bashgah.importing.purchases import import_purchases, read_purchases
from bashgah.importing.report import ImportRejected
from bashgah.importing.sources import CSV_SUFFIXES, XLSX_SUFFIXES, read_file
from bashgah.web import audit, fmt
from bashgah.web.console.common import Reader, Writer, done, download, lang_of, missing, page, problems
from bashgah.web.guard import checked_form, database

log = logging.getLogger("bashgah.web")
router = APIRouter(prefix="/console/club/data", include_in_schema=False)
EXPORTS = ("members", "purchases", "ledger")
IMPORTS: dict[str, tuple[Any, Callable[..., Any], Callable[..., Any]]] = {
    "members": (MEMBER_COLUMNS, read_members, import_members),
    "purchases": (PURCHASE_COLUMNS, read_purchases, import_purchases),
}
#: The largest file the page takes; bigger ones go through ``bashgah import``.
MAX_UPLOAD = 50 * 1024 * 1024
#: Problems of a rejected file shown on the page.
SHOWN_ERRORS = 100
#: Finished imports remembered per process (the newest).
KEPT = 50


@dataclass
class Job:
    """One import: where it is, and how it ended."""

    id: str
    tenant_id: int
    what: str
    phase: str = "reading"
    done: int = 0
    total: int | None = None
    finished: bool = False
    created: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def errors_not_shown(self) -> int:
        """How many of the file's problems are counted but not listed."""
        return max(0, self.error_count - len(self.errors))

    def progress(self, phase: str, done: int, total: int | None) -> None:
        self.phase, self.done, self.total = phase, done, total


JOBS: dict[str, Job] = {}
_tasks: set[asyncio.Task[None]] = set()


def _forget_old() -> None:
    finished = [key for key, job in JOBS.items() if job.finished]
    for key in finished[: max(0, len(finished) - KEPT)]:
        del JOBS[key]


@router.get("", response_class=HTMLResponse)
async def data(request: Request, user: Reader) -> Response:
    return page(request, "club/data.html", user, section="club", exports=EXPORTS, what="members")


@router.get("/export")
async def export(request: Request, user: Reader, what: str = "members", format: str = "csv") -> Response:
    """The whole table as ``bashgah export`` writes it, headers in the page language."""
    lang = lang_of(request, user)
    if what not in EXPORTS or format not in ("csv", "xlsx"):
        error = InvalidInput(
            "what", "members, purchases or ledger as csv or xlsx", "اعضا، خریدها یا دفتر", "خروجی"
        )
        return missing(request, user, error)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{what}.{format}"
        try:
            async with database(request).transaction() as session:
                # Every table here holds mobiles: owners and managers (analysts if the club allows).
                await exports.require_export(session, user.principal)
                rows = await exporting.export(session, user.tenant_id, what, path, lang)
                await exports.record(
                    session, user.principal, f"data.{what}_exported", "export", None, rows, format
                )
        except BashgahError as error:
            return missing(request, user, error, status=error.status)
        content = path.read_bytes()
    return download(request, content, f"{what}.{format}")


async def _run(db: Database, job: Job, user: StaffUser, path: Path, lang: str) -> None:
    columns, read, write = IMPORTS[job.what]
    try:
        table = read_file(path, columns)
        parsed = await asyncio.to_thread(read, table, job.progress)
        async with db.transaction() as session:
            if job.what == "purchases":
                # The ledger names the person who imported the sales.
                result = await write(session, job.tenant_id, parsed, job.progress, actor=user.principal.actor)
            else:
                result = await write(session, job.tenant_id, parsed, job.progress)
            await audit.record(
                session,
                job.tenant_id,
                f"data.{job.what}_imported",
                user.staff_id,
                "import",
                job.id,
                created=result.created,
                skipped=result.skipped,
            )
        job.created, job.skipped = result.created, result.skipped
    except ImportRejected as rejected:
        job.error_count = len(rejected.errors)
        # In the language of the page that started the import, numbers and lines included.
        job.errors = [e.describe(lang) for e in rejected.errors[:SHOWN_ERRORS]]
        job.failure = fmt.error(rejected, lang, user.money_unit)
    except BashgahError as error:
        job.failure = fmt.error(error, lang, user.money_unit)
    except Exception:
        log.exception("import %s failed", job.id)
        job.failure = (
            "خطای داخلی رخ داد؛ چیزی وارد نشد." if lang == "fa" else "Internal error; nothing was imported."
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, path.parent, True)
        job.finished = True


@router.post("/import", response_class=HTMLResponse)
async def start_import(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    lang = lang_of(request, user)
    what = form.get("what")
    upload = form.get("file")
    try:
        if what not in IMPORTS:
            raise InvalidInput("what", "members or purchases", "اعضا یا خریدها", "نوع فایل")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("file", "choose a file", "فایلی انتخاب کنید", "فایل")
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
            raise InvalidInput(
                "file", "use a .csv (UTF-8) or .xlsx file", "فایل ‎.csv (UTF-8) یا ‎.xlsx", "فایل"
            )
        content = await upload.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise InvalidInput(
                "file", "at most 50 MB here; use `bashgah import`", "حداکثر ۵۰ مگابایت", "فایل"
            )
    except BashgahError as error:
        return page(
            request,
            "club/data.html",
            user,
            status=422,
            section="club",
            exports=EXPORTS,
            what=what if what in IMPORTS else "members",
            errors=problems(error, lang, unit=user.money_unit),
        )
    path = Path(tempfile.mkdtemp()) / f"upload{suffix}"
    path.write_bytes(content)
    job = Job(secrets.token_urlsafe(12), user.tenant_id, str(what))
    _forget_old()
    JOBS[job.id] = job
    task = asyncio.create_task(_run(database(request), job, user, path, lang))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return done(f"/console/club/data/imports/{job.id}")


@router.get("/imports/{job_id}", response_class=HTMLResponse)
async def import_progress(request: Request, user: Reader, job_id: str) -> Response:
    """Where an import is; the page reloads itself every second until it is over."""
    job = JOBS.get(job_id)
    if job is not None and job.tenant_id != user.tenant_id:
        job = None
    return page(request, "club/import.html", user, section="club", job=job, status=200 if job else 404)
