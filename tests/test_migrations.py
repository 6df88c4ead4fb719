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
