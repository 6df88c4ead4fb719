"""Import files as rows of text cells: CSV (UTF-8, with or without BOM) and XLSX, headers by name."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from bashgah.importing.columns import Column, header_index, header_key
from bashgah.importing.report import FILE, ImportRejected, RowError, Words, say

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_NO_HEADER = Words("the first line must hold the column names", "سطر اول باید نام ستون‌ها باشد")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Table:
    """The rows of an import file and where each known column sits in them."""

    #: Canonical column name → index of its cell in a row.
    index: dict[str, int]
    #: Canonical column name → the header as written in the file (for error messages).
    headers: dict[str, str]
    #: (line in the file, cells) for every non-blank data row. CSV cells are not stripped yet.
    rows: Iterable[tuple[int, list[str]]]
    #: Roughly how many data rows there are, for a progress bar; None when unknown.
    size: int | None = None
    #: Headers that match no column; they are ignored.
    ignored: list[str] = field(default_factory=list)
    #: Canonical column name → its Persian name.
    names_fa: dict[str, str] = field(default_factory=dict)

    def label(self, name: str) -> Words:
        """How the error report names a column: as the file writes it, and by its name in the reader's
        language when that differs (``موبایل (mobile)`` in English, ``mobile (موبایل)`` in Persian)."""
        return column_label(self.headers.get(name), name, self.names_fa.get(name, name))


def column_label(written: str | None, name: str, name_fa: str) -> Words:
    if written is None:
        return Words(name, name_fa)
    key = header_key(written)
    return Words(
        written if key == header_key(name) else f"{written} ({name})",
        written if key == header_key(name_fa) else f"{written} ({name_fa})",
    )


def map_header(cells: Sequence[str], columns: tuple[Column, ...], line: int = 1) -> Table:
    """Find the known columns in a header row; a missing required column or a repeated one is an error."""
    known = header_index(columns)
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for i, cell in enumerate(cells):
        written = cell.strip().lstrip("\ufeff")
        if not written:
            continue
        column = known.get(header_key(written))
        if column is None or column.export_only:
            if column is None:
                ignored.append(written)
            continue
        if column.name in index:
            errors.append(
                RowError(
                    line,
                    column_label(written, column.name, column.fa),
                    say(
                        "this column means {name}, like {other!r}",
                        "این ستون همان «{name}» است، مثل «{other}»",
                        name=Words(column.name, column.fa),
                        other=headers[column.name],
                    ),
                )
            )
            continue
        index[column.name] = i
        headers[column.name] = written
    for column in columns:
        if column.required and column.name not in index:
            errors.append(
                RowError(
                    line,
                    Words(column.name, column.fa),
                    say(
                        "the required column {name} is missing",
                        "ستون «{name}» لازم است و در فایل نیست",
                        name=Words(column.name, column.fa),
                    ),
                )
            )
    if errors:
        raise ImportRejected(errors)
    names_fa = {c.name: c.fa for c in columns}
    return Table(index=index, headers=headers, rows=(), ignored=ignored, names_fa=names_fa)


def read_file(path: Path, columns: tuple[Column, ...]) -> Table:
    """Open a CSV or XLSX file for import. Rows are read lazily, once."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportRejected([RowError(0, FILE, Words(f"{path} does not exist", f"{path} وجود ندارد"))])
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, columns)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, columns)
    if suffix == ".xls":
        message = Words(
            "the old Excel format (.xls) is not supported: save the sheet as .xlsx or CSV UTF-8",
            "قالب قدیمی Excel (‎.xls) پشتیبانی نمی‌شود: برگه را با قالب ‎.xlsx یا CSV UTF-8 ذخیره کنید",
        )
    else:
        message = Words("use a .csv (UTF-8) or .xlsx file", "فایل ‎.csv (UTF-8) یا ‎.xlsx بدهید")
    raise ImportRejected([RowError(0, FILE, message)])


def from_records(records: Sequence[Mapping[str, object]], columns: tuple[Column, ...]) -> Table:
    """A table made in memory (the demo, tests): every key of any record is a column."""
    names = list(dict.fromkeys(key for record in records for key in record))
    if not names:
        names = [c.name for c in columns if c.required]
    table = map_header(names, columns)
    table.rows = ((n + 2, [_cell_text(r.get(name)) for name in names]) for n, r in enumerate(records))
    table.size = len(records)
    return table


# --- CSV ------------------------------------------------------------------------------------------


def _not_utf8(line: int) -> ImportRejected:
    return ImportRejected(
        [
            RowError(
                line,
                FILE,
                Words(
                    "the file is not UTF-8 text: in Excel use Save As → 'CSV UTF-8'",
                    "فایل متن UTF-8 نیست: در Excel با «Save As» قالب «CSV UTF-8» را انتخاب کنید",
                ),
            )
        ]
    )


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _dialect(first_line: str) -> str:
    # Excel in some locales writes ';' or tabs instead of commas; the header line tells which.
    return max((",", ";", "\t"), key=first_line.count)


def _read_csv(path: Path, columns: tuple[Column, ...]) -> Table:
    with path.open("rb") as f:
        raw = f.readline()
    try:
        first = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(1) from None
    delimiter = _dialect(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    if not any(cell.strip() for cell in header):
        raise ImportRejected([RowError(1, FILE, _NO_HEADER)])
    table = map_header(header, columns)
    table.rows = _csv_rows(path, delimiter)
    table.size = max(_count_lines(path) - 1, 0)
    return table


def _decoded_lines(f: IO[bytes]) -> Iterator[str]:
    # Line by line, so that a byte that is not UTF-8 is reported on its own line.
    for number, raw in enumerate(f, 1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _not_utf8(number) from None


def _csv_rows(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    with path.open("rb") as f:
        reader = csv.reader(_decoded_lines(f), delimiter=delimiter)
        ended = 0
        try:
            next(reader, None)  # the header
            ended = reader.line_num
            for cells in reader:
                # A quoted cell may span lines: a row starts on the line after the previous one ended.
                start, ended = ended + 1, reader.line_num
                if any(cells):
                    yield start, cells
        except csv.Error as error:
            problem = Words(f"not valid CSV ({error})", f"CSV معتبر نیست ({error})")
            raise ImportRejected([RowError(ended + 1, FILE, problem)]) from None


# --- XLSX -----------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets keep numbers as floats; a mobile or an amount is a whole number.
        return str(int(value))
    if isinstance(value, datetime):
        # A date cell comes as a datetime at midnight: write it as the day alone, so that a birth date
        # (a day, never an instant) reads as one.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


#: Excel serial numbers taken as dates in a date column: 10,000 is 1927-05-18, 100,000 is in 2173. Outside
#: this, a number is left as text for the date parser to refuse — a Jalali year typed alone (1370) must
#: not become a day of 1903.
_SERIALS = (10_000, 100_000)


def _date_cell(value: Any, epoch: datetime) -> Any:
    """A bare number in a date column is a date whose cell lost its date format (a "General" cell)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and _SERIALS[0] <= value < _SERIALS[1]:
        from openpyxl.utils.datetime import from_excel

        # Whole seconds: a serial's fraction of a day is rarely exact in binary.
        at = from_excel(value, epoch)
        if isinstance(at, datetime):
            return (at + timedelta(microseconds=500_000)).replace(microsecond=0)
    return value


def _read_xlsx(path: Path, columns: tuple[Column, ...]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or mislabelled file
        problem = Words(f"not a readable .xlsx file ({error})", f"فایل ‎.xlsx خواندنی نیست ({error})")
        raise ImportRejected([RowError(0, FILE, problem)]) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    line = 0
    header: list[str] = []
    for values in rows:
        line += 1
        header = [_cell_text(v) for v in values]
        if any(header):
            break
    if not any(header):
        book.close()
        raise ImportRejected([RowError(1, FILE, _NO_HEADER)])
    table = map_header(header, columns, line)
    dates = sorted(table.index[c.name] for c in columns if c.is_date and c.name in table.index)
    table.rows = _xlsx_rows(book, rows, line, dates)
    table.size = max((sheet.max_row or 0) - line, 0) or None
    return table


def _xlsx_rows(
    book: Any, rows: Iterator[tuple[Any, ...]], line: int, dates: list[int]
) -> Iterator[tuple[int, list[str]]]:
    epoch = book.epoch  # 1900, or 1904 for workbooks made by old Excel for Mac
    try:
        for values in rows:
            line += 1
            if dates:
                values = tuple(_date_cell(v, epoch) if i in dates else v for i, v in enumerate(values))
            cells = [_cell_text(v) for v in values]
            if any(cells):
                yield line, cells
    finally:
        book.close()


def open_text(path: Path) -> IO[str]:
    """A text file for writing CSV that Excel opens with Persian intact (UTF-8 with a BOM)."""
    return path.open("w", encoding="utf-8-sig", newline="")
