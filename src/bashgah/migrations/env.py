"""Alembic environment: runs migrations on the async engine of ``BASHGAH_DATABASE_URL``."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from bashgah.core.config import get_settings
from bashgah.core.db import create_engine
from bashgah.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a table by copying it ("batch" mode): with foreign keys enforced, dropping the old
        # copy of a table other rows point to (purchases, members…) fails once the database holds data.
        # The switch only works outside a transaction, so it goes straight to the driver; the keys are
        # checked once the migrations are done (below) and the connection is thrown away after.
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = _pragma(connection, "PRAGMA foreign_key_check")
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} rows pointing nowhere: {broken[:5]}")


def _pragma(connection: Connection, statement: str) -> list[Any]:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
        return list(cursor.fetchall())
    finally:
        cursor.close()


async def _online() -> None:
    engine = create_engine(_url(), pool_size=1)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
