"""Engine, sessions and the unit of work.

Only the boundary commits: the API dependency, the CLI commands and the jobs open a unit of work with
:meth:`Database.transaction`, which commits on success and rolls back on any error. Services receive the
session and at most ``flush()``.

SQLite is the embedded default. It allows one writer at a time, so every unit of work starts with
``BEGIN IMMEDIATE`` (no deadlocking lock upgrades) and, inside one process, waits its turn on an
asyncio lock instead of spinning on ``SQLITE_BUSY``. PostgreSQL runs units of work concurrently and the
ledger serialises per account with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bashgah.core.errors import BashgahError

#: A model whose rows belong to one club (a ``tenant_id`` and an ``id``).
Row = TypeVar("Row")


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, pool_size: int = 20, echo: bool = False, **options: Any) -> AsyncEngine:
    """Bashgah's engine for ``url``; ``options`` go to PostgreSQL's (the bench's baseline sets its schema
    through ``connect_args``)."""
    # hide_parameters: SQL errors and logs would otherwise print the bound values — phone numbers and
    # national codes among them.
    if is_sqlite_url(url):
        _prepare_sqlite_file(url)
        engine = create_async_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 60})

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when a transaction starts (see "begin" below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        **options,
    )


class Database:
    """One per process: the engine, the session factory and, for SQLite, the writer's turn."""

    def __init__(self, url: str, pool_size: int = 20, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = is_sqlite_url(url)
        self.engine = create_engine(url, pool_size=pool_size, echo=echo)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._sqlite_turn = asyncio.Lock() if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One use case = one transaction: commit on success, roll back on error."""
        async with contextlib.AsyncExitStack() as stack:
            if self._sqlite_turn is not None:
                await stack.enter_async_context(self._sqlite_turn)
            session = await stack.enter_async_context(self.sessionmaker())
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


#: PostgreSQL's conflicts that a second try usually clears: serialisation failure, deadlock, lock timeout.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_transient(error: BaseException) -> bool:
    """A database conflict that running the whole unit of work again may clear (never a broken rule)."""
    if not isinstance(error, DBAPIError) or isinstance(error, IntegrityError):
        return False
    orig = error.orig
    if getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(orig)


def error_kind(error: DBAPIError) -> str:
    """What a database error was, for the logs: its SQLSTATE or SQLite error name — never its values."""
    orig = error.orig
    return str(
        getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or type(orig).__name__
    )


def constraint_name(error: IntegrityError) -> str:
    """The constraint an integrity error broke, without the values (safe to log).

    PostgreSQL names it; SQLite says ``UNIQUE constraint failed: purchases.branch_id, …`` (columns only).
    """
    orig = error.orig
    cause = getattr(orig, "__cause__", None)
    for source in (cause, orig):
        name = getattr(source, "constraint_name", None)
        if name:
            return str(name)
        column = getattr(source, "column_name", None)
        if column:
            return f"not_null:{getattr(source, 'table_name', '?')}.{column}"
    kind, found, where = str(orig).partition(" constraint failed: ")
    if found:
        return f"{kind.strip().lower().replace(' ', '_')}:{where.strip()}"
    if "FOREIGN KEY constraint failed" in str(orig):
        return "foreign_key"
    return "unknown"


async def get_in_club(
    session: AsyncSession, model: type[Row], tenant_id: int, row_id: int, missing: BashgahError
) -> Row:
    """The row ``row_id`` of ``model`` when it belongs to the club; else ``missing`` is raised."""
    row = await session.scalar(select(model).filter_by(tenant_id=tenant_id, id=row_id))
    if row is None:
        raise missing
    return row
