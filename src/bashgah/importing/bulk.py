"""Database work in bulk, for imports: ids ahead of the insert, COPY, one UPDATE for many balances.

PostgreSQL gets the fast paths (``COPY`` in binary through asyncpg, arrays instead of long ``IN`` lists);
SQLite gets ``executemany`` and short ``IN`` lists. Everything runs in the caller's transaction.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Select,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bashgah.importing.report import ImportRaced
from bashgah.models import Account

T = TypeVar("T")
#: A SELECT of any columns (SQLAlchemy 2.1 types a select by the tuple of its columns).
AnySelect = Select[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]

#: Rows per ``executemany`` on SQLite, and values per ``IN (…)`` list (SQLite allows 32,766 variables).
SQLITE_BATCH = 5_000
SQLITE_IN = 900
UNIQUE_VIOLATION = "23505"


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def table_of(model: type[Any]) -> Table:
    """The Core table of an ORM model."""
    return cast(Table, model.__table__)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


async def allocate_ids(session: AsyncSession, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, to link rows to each other before inserting them.

    PostgreSQL draws them from the table's sequence, so tills inserting at the same time get other
    numbers. SQLite has one writer at a time (the unit of work holds its write lock from the start), so
    the numbers after the current maximum are free until this transaction ends.
    """
    if count <= 0:
        return []
    if is_postgres(session):
        sequence = await session.scalar(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        # The name as a literal, so that PostgreSQL resolves it once and not for each of the n rows.
        literal = "'" + str(sequence).replace("'", "''") + "'"
        ids = await session.scalar(
            text(f"SELECT array_agg(nextval({literal}::regclass)) FROM generate_series(1, :n)"), {"n": count}
        )
        return sorted(ids or [])
    top = await session.scalar(select(func.max(table.c.id)))
    start = int(top or 0) + 1
    return list(range(start, start + count))


def _defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """Values for the columns a caller left out that the model fills with a plain default.

    COPY does not run the ORM's defaults, and a column added to a model later (with its default) must
    not break imports written before it.
    """
    filled: dict[str, Any] = {}
    for column in table.columns:
        if column.name in given or column.primary_key or column.default is None:
            continue
        default = column.default
        if getattr(default, "is_scalar", False):
            filled[column.name] = default.arg  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            filled[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return filled


async def insert_rows(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` as fast as the database allows.

    ``rows`` may be a generator: on PostgreSQL it is streamed into ``COPY`` while the server works.
    """
    extra = _defaults(table, columns)
    names = [*columns, *extra]
    tail = tuple(extra.values())
    if is_postgres(session):
        json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
        records: Iterable[tuple[Any, ...]] = (row + tail for row in rows)
        if json_at:
            records = (_json_cells(row, json_at) for row in records)
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table.name, records=records, columns=names)
        return
    statement = insert(table)
    for batch in batched(rows, SQLITE_BATCH):
        await session.execute(statement, [dict(zip(names, row + tail, strict=True)) for row in batch])


@contextlib.asynccontextmanager
async def unique_keys_of(what: str, what_fa: str) -> AsyncIterator[None]:
    """Turn a unique-key violation in the bulk writes into :class:`ImportRaced`.

    The importer looked for existing receipts and members before writing, but a till may record one of
    them in between. The insert then fails on the unique key, the transaction rolls back, and a second
    run skips what the till recorded.
    """
    try:
        yield
    except IntegrityError as error:
        if (
            getattr(error.orig, "sqlstate", None) in (None, UNIQUE_VIOLATION)
            and "UNIQUE" in str(error).upper()
        ):
            raise ImportRaced(what, what_fa) from error
        raise
    except Exception as error:
        # asyncpg's COPY runs under SQLAlchemy, so its errors arrive unwrapped.
        if getattr(error, "sqlstate", None) == UNIQUE_VIOLATION:
            raise ImportRaced(what, what_fa) from error
        raise


def _json_cells(row: tuple[Any, ...], at: list[int]) -> tuple[Any, ...]:
    # asyncpg's binary COPY takes json as text; keep Persian readable in the stored text.
    cells = list(row)
    for i in at:
        if cells[i] is not None:
            cells[i] = json.dumps(cells[i], ensure_ascii=False)
    return tuple(cells)


async def select_where_in(
    session: AsyncSession,
    statement: Callable[[ColumnElement[bool]], AnySelect],
    column: InstrumentedAttribute[Any],
    values: Sequence[Any],
) -> list[AnyRow]:
    """Run ``statement(column IN values)`` for any number of values.

    PostgreSQL takes them as one array parameter (``= ANY($1)``); SQLite in lists of a few hundred.
    """
    if not values:
        return []
    if is_postgres(session):
        item = BigInteger() if isinstance(values[0], int) else String()
        array = bindparam("values", list(values), type_=ARRAY(item))
        return list((await session.execute(statement(column == any_(array)))).all())
    found: list[AnyRow] = []
    for chunk in batched(values, SQLITE_IN):
        found.extend((await session.execute(statement(column.in_(chunk)))).all())
    return found


async def add_to_posted(session: AsyncSession, deltas: dict[int, int]) -> None:
    """Add each amount to its account's cached ``posted`` balance, in one statement on PostgreSQL.

    The caller holds the locks of the member accounts; system accounts come last (highest lock order).
    """
    pairs = sorted((account_id, delta) for account_id, delta in deltas.items() if delta)
    if not pairs:
        return
    if is_postgres(session):
        await session.execute(
            text(
                "UPDATE accounts AS a SET posted = a.posted + d.delta "
                "FROM unnest(CAST(:ids AS BIGINT[]), CAST(:deltas AS BIGINT[])) AS d(id, delta) "
                "WHERE a.id = d.id"
            ),
            {"ids": [p[0] for p in pairs], "deltas": [p[1] for p in pairs]},
        )
        return
    accounts = table_of(Account)
    statement = (
        update(accounts)
        .where(accounts.c.id == bindparam("account_id"))
        .values(posted=accounts.c.posted + bindparam("delta"))
    )
    for batch in batched(pairs, SQLITE_BATCH):
        await session.execute(statement, [{"account_id": a, "delta": d} for a, d in batch])
