"""Import files as rows of text cells: CSV (UTF-8, with or without BOM) and XLSX, headers by name."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from bashgah.importing.columns import Column, header_index, header_key
from bashgah.importing.report import ImportRejected, RowError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
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

    def label(self, name: str) -> str:
        """How the error report names a column: as the file writes it, and canonically if different."""
        written = self.headers.get(name, name)
        return written if header_key(written) == header_key(name) else f"{written} ({name})"


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
                RowError(line, written, f"this column means {column.name}, like {headers[column.name]!r}")
            )
            continue
        index[column.name] = i
        headers[column.name] = written
    for column in columns:
        if column.required and column.name not in index:
            errors.append(RowError(line, column.name, f"the required column {column.name} is missing"))
    if errors:
        raise ImportRejected(errors)
    return Table(index=index, headers=headers, rows=(), ignored=ignored)


def read_file(path: Path, columns: tuple[Column, ...]) -> Table:
    """Open a CSV or XLSX file for import. Rows are read lazily, once."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportRejected([RowError(0, "file", f"{path} does not exist")])
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, columns)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, columns)
    if suffix == ".xls":
        message = "the old Excel format (.xls) is not supported: save the sheet as .xlsx or CSV UTF-8"
    else:
        message = "use a .csv (UTF-8) or .xlsx file"
    raise ImportRejected([RowError(0, "file", message)])


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
        [RowError(line, "file", "the file is not UTF-8 text: in Excel use Save As → 'CSV UTF-8'")]
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
        raise ImportRejected([RowError(1, "file", "the first line must hold the column names")])
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
            raise ImportRejected([RowError(ended + 1, "file", f"not valid CSV ({error})")]) from None


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
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(path: Path, columns: tuple[Column, ...]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise ImportRejected([RowError(0, "file", f"not a readable .xlsx file ({error})")]) from None
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
        raise ImportRejected([RowError(1, "file", "the first row must hold the column names")])
    table = map_header(header, columns, line)
    table.rows = _xlsx_rows(book, rows, line)
    table.size = max((sheet.max_row or 0) - line, 0) or None
    return table


def _xlsx_rows(book: Any, rows: Iterator[tuple[Any, ...]], line: int) -> Iterator[tuple[int, list[str]]]:
    try:
        for values in rows:
            line += 1
            cells = [_cell_text(v) for v in values]
            if any(cells):
                yield line, cells
    finally:
        book.close()


def open_text(path: Path) -> IO[str]:
    """A text file for writing CSV that Excel opens with Persian intact (UTF-8 with a BOM)."""
    return path.open("w", encoding="utf-8-sig", newline="")
