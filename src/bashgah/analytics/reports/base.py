"""What a report is: tables of declared columns, the parameters it may be asked for, and the member
columns most reports start with.

A :class:`Column` says everything about one column — its key, its label in Persian and English, its
kind (how a reader's face writes it) and how its value is read from a source row — so a report declares
its tables and :meth:`Table.fill` makes the rows; the writers (``analytics.export``) turn any report into
CSV, XLSX or JSON without knowing which report it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any

from bashgah.core.errors import InvalidInput


class Kind(StrEnum):
    """How a column's values are written for people (the values themselves are plain)."""

    text = "text"
    number = "number"
    rials = "rials"
    share = "share"
    flag = "flag"
    mobile = "mobile"


@dataclass(frozen=True)
class Column:
    """One column of a report's table: ``key`` for machines, ``en`` / ``fa`` for people."""

    key: str
    en: str
    fa: str
    kind: Kind = Kind.number
    #: How the value comes from a source row; the row's attribute ``key`` when not given.
    get: Callable[[Any], Any] | None = None

    def label(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en

    def reader(self) -> Callable[[Any], Any]:
        return self.get or attrgetter(self.key)


def text(key: str, en: str, fa: str, get: Callable[[Any], Any] | None = None) -> Column:
    return Column(key, en, fa, Kind.text, get)


def rials(key: str, en: str, fa: str, get: Callable[[Any], Any] | None = None) -> Column:
    return Column(key, en, fa, Kind.rials, get)


def share(key: str, en: str, fa: str, get: Callable[[Any], Any] | None = None) -> Column:
    return Column(key, en, fa, Kind.share, get)


def full_name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def ratio(part: float, whole: float) -> float | None:
    """``part / whole`` to four places, or nothing when there is no whole."""
    return round(part / whole, 4) if whole else None


def days_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400


#: The member a row is about, read from rows that carry ``member_id``, ``first_name``, ``last_name``
#: and ``mobile``.
MEMBER = [
    Column("member_id", "Member", "عضو"),
    text("name", "Name", "نام", lambda row: full_name(row.first_name, row.last_name)),
    Column("mobile", "Mobile", "موبایل", Kind.mobile),
]


@dataclass
class Table:
    """One table of a report: its columns and rows (values in the order of the columns)."""

    name: str
    en: str
    fa: str
    fields: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def title(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en

    def fill(self, sources: Iterable[Any]) -> Table:
        """Add a row per source, each column reading its value from it."""
        readers = [column.reader() for column in self.fields]
        self.rows.extend([read(source) for read in readers] for source in sources)
        return self

    def as_dicts(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The rows (the first ``limit`` of them) as objects keyed by column."""
        keys = [f.key for f in self.fields]
        return [dict(zip(keys, row, strict=True)) for row in self.rows[:limit]]


class Metrics(Table):
    """A metric / key / value table (a report's summary), a labelled line at a time."""

    def __init__(self, en: str, fa: str, lang: str) -> None:
        columns = [
            text("metric", "Metric", "شاخص"),
            text("metric_key", "Key", "کلید"),
            Column("value", "Value", "مقدار"),
        ]
        super().__init__("summary", en, fa, columns)
        self.lang = lang

    def add(self, key: str, en: str, fa: str, value: Any) -> None:
        self.rows.append([fa if self.lang == "fa" else en, key, value])


@dataclass
class Report:
    name: str
    lang: str
    as_of: datetime
    params: dict[str, Any]
    tables: list[Table]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def as_dicts(self, name: str) -> list[dict[str, Any]]:
        return self.table(name).as_dicts()


@dataclass(frozen=True)
class Params:
    """What a report may be asked for; each report reads the ones it needs."""

    as_of: datetime | None = None
    window_days: int = 365
    #: Churn risk: overdue when days since the last visit > k × the member's mean gap.
    k: float = 2.0
    #: Cohorts: how many enrolment months.
    months: int = 12
    #: Programme health: the shop's whole revenue in the window (members and walk-ins), from its books,
    #: to give the members' share; purchases are only recorded for members.
    store_revenue_rials: int | None = None

    def check(self) -> None:
        if not 1 <= self.window_days <= 3650:
            raise InvalidInput("window_days", "between 1 and 3650", "بین ۱ و ۳۶۵۰", "بازه (روز)")
        if not 0 < self.k <= 100:
            raise InvalidInput("k", "above 0 and at most 100", "بیشتر از ۰ و حداکثر ۱۰۰", "ضریب k")
        if not 1 <= self.months <= 60:
            raise InvalidInput("months", "between 1 and 60", "بین ۱ و ۶۰", "تعداد ماه")
        if self.store_revenue_rials is not None and self.store_revenue_rials <= 0:
            raise InvalidInput("store_revenue_rials", "above 0", "بیشتر از ۰", "فروش کل فروشگاه (ریال)")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise InvalidInput(
                "as_of", "a moment with its time zone", "زمان همراه با منطقه زمانی", "تا تاریخ"
            )
