"""The Alembic migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bashgah.core.db import create_engine
from bashgah.core.migrate import alembic_config, upgrade
from bashgah.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": False}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        name: {column["name"] for column in inspector.get_columns(name)}
        for name in inspector.get_table_names()
        if name != "alembic_version"
    }


def _head(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _compare(url: str) -> tuple[list[Any], dict[str, set[str]], str | None]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            tables = await connection.run_sync(_tables)
            revision = await connection.run_sync(_head)
    finally:
        await engine.dispose()
    return differences, tables, revision


def _model_tables() -> dict[str, set[str]]:
    return {table.name: {column.name for column in table.columns} for table in Base.metadata.sorted_tables}


def _script_head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def test_upgrading_a_fresh_sqlite_file_gives_the_models_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    upgrade(url)
    differences, tables, revision = await _compare(url)
    assert differences == []
    assert tables == _model_tables()
    assert revision == _script_head(url)


async def test_upgrading_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/twice.db"
    upgrade(url)
    upgrade(url)
    differences, _, _ = await _compare(url)
    assert differences == []


async def test_the_migrated_postgresql_database_gives_the_models_schema(postgres_url: str) -> None:
    differences, tables, revision = await _compare(postgres_url)
    assert differences == []
    assert tables == _model_tables()
    assert revision == _script_head(postgres_url)


def test_the_migrations_have_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite:///unused.db"))
    assert len(script.get_heads()) == 1


def _fill_row(connection: Any, table: str) -> None:
    """One row in ``table`` with every required column given a plain value; ids are 1, so the rows of
    the tenant, its branch, its member and their purchase point at each other."""
    columns = connection.exec_driver_sql(f"PRAGMA table_info({table})").fetchall()
    values: dict[str, Any] = {}
    for _cid, name, kind, notnull, default, _pk in columns:
        if name == "id" or (name.endswith("_id") and notnull):
            values[name] = 1
        elif notnull and default is None:
            kind = (kind or "").upper()
            if "INT" in kind or "NUMERIC" in kind or "BOOL" in kind:
                values[name] = 1 if "BOOL" not in kind else 0
            elif "DATE" in kind or "TIME" in kind:
                values[name] = "2026-01-01 00:00:00"
            elif "JSON" in kind:
                values[name] = "{}"
            else:
                values[name] = f"{table}-{name}"
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))


async def test_a_sqlite_club_made_before_this_release_upgrades_with_its_purchases_in_place(
    tmp_path: Path,
) -> None:
    # SQLite changes a table by copying it: with foreign keys on, dropping the old copy of a table that
    # other rows point to used to fail as soon as the file held a single purchase.
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    upgrade(url, "0013")
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            for table in (
                "tenants",
                "branches",
                "members",
                "accounts",
                "purchases",
                "purchase_items",
                "staff",
            ):
                await connection.run_sync(lambda c, t=table: _fill_row(c, t))
    finally:
        await engine.dispose()
    upgrade(url)
    differences, tables, revision = await _compare(url)
    assert differences == [] and revision == _script_head(url)
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            kept = await connection.exec_driver_sql("SELECT count(*) FROM purchases")
            assert kept.scalar() == 1
    finally:
        await engine.dispose()
