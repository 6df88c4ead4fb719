"""What went wrong in an import file, line by line, and the ``FILE.errors.csv`` written next to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bashgah.core.errors import BashgahError, Conflict, InvalidDate, InvalidInput
from bashgah.core.sheets import CsvWriter

#: Called as work goes on: (what is being done, how many rows so far, how many in all when known).
Progress = Callable[[str, int, int | None], None]


def no_progress(_phase: str, _done: int, _total: int | None) -> None:
    return None


@dataclass(frozen=True, order=True)
class RowError:
    #: The line of the file as a spreadsheet or editor shows it (the header is line 1).
    line: int
    #: The column's header as written in the file (and its canonical name when that differs).
    column: str
    message: str

    def __str__(self) -> str:
        # Line 0 is the file as a whole (missing, unreadable).
        where = f"line {self.line}, {self.column}" if self.line else self.column
        return f"{where}: {self.message}"


class ImportRejected(BashgahError):
    """The file has problems; the import wrote nothing. ``errors`` lists them by line."""

    status = 422
    code = "import_rejected"
    message_en = "The file has {count} problem(s); nothing was imported."
    message_fa = "فایل {count} ایراد دارد؛ چیزی وارد نشد."

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(None, count=len(errors))
        self.errors = sorted(errors)


class ImportRaced(Conflict):
    """A till or another import wrote the same receipt or member while this import was running."""

    code = "import_raced"
    message_en = (
        "Some of the same {what} were recorded elsewhere while this file was being imported, so nothing was "
        "imported. Run the import again: what is already recorded is skipped."
    )
    message_fa = (
        "هم‌زمان با ورود این فایل، برخی از همین {what_fa} جای دیگری ثبت شد و چیزی وارد نشد. "
        "دوباره وارد کنید؛ موارد ثبت‌شده رد می‌شوند."
    )

    def __init__(self, what: str, what_fa: str) -> None:
        super().__init__(None, what=what, what_fa=what_fa)


def reason(error: InvalidInput) -> str:
    """The English reason of a field error, without the field name (the report names the column)."""
    text = str(error.params.get("reason_en") or error.message("en"))
    # Enrolment's date error only says which forms to use; in a report it must say what is wrong first.
    return f"not a valid date: {text}" if isinstance(error, InvalidDate) else text


def errors_path(source: Path) -> Path:
    """``members.csv`` → ``members.csv.errors.csv``, next to the file."""
    return source.with_name(source.name + ".errors.csv")


def write_errors(path: Path, errors: list[RowError]) -> None:
    # With a BOM so that Excel opens the Persian column names correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = CsvWriter(f)
        writer.writerow(["line", "column", "message"])
        for error in errors:
            writer.writerow([error.line, error.column, error.message])
