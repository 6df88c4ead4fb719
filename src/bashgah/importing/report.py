"""What went wrong in an import file, line by line, and the ``FILE.errors.csv`` written next to it.

Every problem is written in English and Persian (:class:`Words`); the command line, the console page and
the report pick the language of the person reading (``--lang``, the club's language, the page's), with
the line numbers and the values in it written for that language (Persian digits in Persian).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bashgah.core import numerals
from bashgah.core.errors import BashgahError, Conflict, Count, InvalidDate, InvalidInput
from bashgah.core.sheets import CsvWriter

#: Called as work goes on: (what is being done, how many rows so far, how many in all when known).
Progress = Callable[[str, int, int | None], None]


def reading(
    rows: Iterable[tuple[int, list[str]]], size: int | None, progress: Progress, every: int
) -> Iterator[tuple[int, list[str]]]:
    """A file's rows, reporting "reading" at the start, every ``every`` rows and at the end."""
    done = 0
    progress("reading", 0, size)
    for row in rows:
        done += 1
        if done % every == 0:
            progress("reading", done, size)
        yield row
    progress("reading", done, done)


@dataclass
class ImportCounts:
    """What an import did: rows written, rows skipped as already there (and their lines)."""

    created: int = 0
    skipped: int = 0
    #: Lines of the rows skipped because they were already recorded.
    skipped_lines: list[int] = field(default_factory=list)


def no_progress(_phase: str, _done: int, _total: int | None) -> None:
    return None


class Words(str):
    """A text in English (its value as a ``str``) that also carries its Persian.

    A plain ``str`` subclass so that a problem's column and message stay strings for code that only
    reads English (tests, the segments importer's callers); :func:`in_language` picks the Persian.
    """

    fa: str

    def __new__(cls, en: str, fa: str) -> Words:
        made = super().__new__(cls, en)
        made.fa = fa
        return made


def in_language(text: str, lang: str) -> str:
    """The text in ``lang``: a :class:`Words`' Persian in fa, else the text itself."""
    return text.fa if lang == "fa" and isinstance(text, Words) else str(text)


class Line(int):
    """A line of the file, in a message: the language's digits, never grouped."""


#: Unicode's left-to-right isolate and its end: a code keeps its order inside Persian text.
LRI, PDI = "\u2066", "\u2069"


def _value(value: object, lang: str) -> str:
    if isinstance(value, Words):
        return in_language(value, lang)
    if isinstance(value, Line):
        return numerals.digits(int(value), lang)
    if isinstance(value, int) and not isinstance(value, bool):
        return numerals.number(value, lang)  # a count or an amount
    # Anything else is a code as the file writes it (a receipt number, a branch): as it is, kept in its
    # left-to-right order inside Persian text.
    return f"{LRI}{value}{PDI}" if lang == "fa" else str(value)


def say(en: str, fa: str, **values: object) -> Words:
    """A problem in both languages, ``{name}`` filled with ``values`` written for each language: counts
    and amounts (``int``) as numbers, lines (:class:`Line`) in the language's digits, :class:`Words` in
    the language, anything else as a code."""
    return Words(
        en.format(**{k: _value(v, "en") for k, v in values.items()}),
        fa.format(**{k: _value(v, "fa") for k, v in values.items()}),
    )


#: The column of problems about the file as a whole.
FILE = Words("file", "فایل")


@dataclass(frozen=True, order=True)
class RowError:
    #: The line of the file as a spreadsheet or editor shows it (the header is line 1).
    line: int
    #: The column's header as written in the file (and its canonical name when that differs).
    column: str
    message: str

    def __str__(self) -> str:
        return self.describe("en")

    def describe(self, lang: str) -> str:
        """``line 3, mobile: not a valid mobile number`` / ``سطر ۳، موبایل: شماره موبایل معتبر نیست``."""
        column, message = in_language(self.column, lang), in_language(self.message, lang)
        if not self.line:  # line 0 is the file as a whole (missing, unreadable)
            return f"{column}: {message}"
        if lang == "fa":
            return f"سطر {numerals.digits(self.line, lang)}، {column}: {message}"
        return f"line {self.line}, {column}: {message}"


class ImportRejected(BashgahError):
    """The file has problems; the import wrote nothing. ``errors`` lists them by line."""

    status = 422
    code = "import_rejected"
    message_en = "The file has {count} problem(s); nothing was imported."
    message_fa = "فایل {count} ایراد دارد؛ چیزی وارد نشد."

    kinds = {"count": Count}

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors)
        super().__init__(None, count=len(errors))


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


def reason(error: InvalidInput) -> Words:
    """The reason of a field error in both languages, without the field name (the report names the column)."""
    en = str(error.params.get("reason_en") or error.message("en"))
    fa = str(error.params.get("reason_fa") or error.message("fa"))
    if isinstance(error, InvalidDate) and error.malformed:
        # Enrolment's date error only says which forms to use; in a report it must say what is wrong first.
        return Words(f"not a valid date: {en}", f"تاریخ معتبر نیست: {fa}")
    return Words(en, fa)


def errors_path(source: Path) -> Path:
    """``members.csv`` → ``members.csv.errors.csv``, next to the file."""
    return source.with_name(source.name + ".errors.csv")


#: The report's header row in each language.
REPORT_HEADER = {"en": ["line", "column", "message"], "fa": ["سطر", "ستون", "ایراد"]}


def write_errors(path: Path, errors: list[RowError], lang: str = "en") -> None:
    # With a BOM so that Excel opens the Persian column names correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = CsvWriter(f)
        writer.writerow(REPORT_HEADER["fa" if lang == "fa" else "en"])
        for error in errors:
            writer.writerow(
                [
                    numerals.digits(error.line, lang),
                    in_language(error.column, lang),
                    in_language(error.message, lang),
                ]
            )
