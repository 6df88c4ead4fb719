"""Fixtures shared by the suite.

Database tests run twice: on an SQLite file and on PostgreSQL. PostgreSQL is found through
``BASHGAH_TEST_POSTGRES_URL`` (default: the local server); when it cannot be reached those runs are
skipped — except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy
from sqlalchemy.engine import make_url
from typer.testing import Result

from bashgah.api.app import create_app
from bashgah.core.cache import clear_all as clear_caches
from bashgah.core.config import Settings
from bashgah.core.db import Database, create_engine
from bashgah.models import Base
from support import Cli, Club, enrol, make_club, run_command

#: How the suite is spread over the cores (pytest-xdist) and in what order: see balance.py.
pytest_plugins = ["balance"]

#: Parallel workers (pytest-xdist) share one PostgreSQL server of 100 connections: each worker's pool is
#: smaller so that two workers running their concurrency tests at once stay within it.
POOL_SIZE = 30 if os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") == "1" else 20

PG_URL = os.environ.get("BASHGAH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashes() -> Iterator[None]:
    """Staff sign in hundreds of times in the web tests: argon2id with the smallest cost, not the
    production cost (64 MiB, 3 passes) — the hash format and the checks stay the same."""
    from argon2 import PasswordHasher

    from bashgah.staff import service as staff_service

    production = staff_service._hasher
    staff_service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    staff_service._hasher = production


def _pg_sync_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def new_postgres_database() -> Iterator[Callable[[str], str]]:
    """``new_postgres_database("demo")``: the URL of a new, empty PostgreSQL database of this test session
    (dropped at its end). Skips the test when PostgreSQL is unreachable — fails it under ``CI=true``."""
    import psycopg

    try:
        admin = psycopg.connect(_pg_sync_dsn(PG_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"CI=true and PostgreSQL is unreachable at {make_url(PG_URL).host}: {error}")
        pytest.skip(f"PostgreSQL unreachable ({error.__class__.__name__}); set BASHGAH_TEST_POSTGRES_URL")
    made: list[str] = []

    def new(purpose: str) -> str:
        name = f"bashgah_test_{os.getpid()}_{purpose}"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    with admin:
        yield new
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(new_postgres_database: Callable[[str], str]) -> str:
    """The PostgreSQL database of this test session, migrated with Alembic; the ``db`` fixture empties it."""
    from bashgah.core.migrate import upgrade

    url = new_postgres_database("suite")
    upgrade(url)
    return url


#: Per database: the one script that empties every table and restarts every id sequence.
_PG_WIPE: dict[str, str] = {}


async def _empty_postgres(url: str) -> None:
    """Every table emptied and every id back to 1. DELETE, children first, instead of TRUNCATE: a TRUNCATE
    of the whole schema gives every table a new file and cost over a second a test; this costs a few ms."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            script = _PG_WIPE.get(url)
            if script is None:
                rows = await driver.fetch(
                    "SELECT schemaname || '.' || sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
                deletes = [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
                restarts = [f"SELECT setval('{row[0]}', 1, false)" for row in rows]
                script = _PG_WIPE[url] = "; ".join(deletes + restarts)
            await driver.execute(script)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the models' schema, made once; every test gets a copy of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "bashgah.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[Database]:
    """An empty, migrated database of each kind."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        await _empty_postgres(url)
    else:
        copy = Path(str(tmp_path)) / "bashgah.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), copy)
        url = f"sqlite+aiosqlite:///{copy}"
    clear_caches()
    database = Database(url, pool_size=POOL_SIZE)
    yield database
    await database.dispose()
    clear_caches()


@pytest.fixture
async def club(db: Database) -> Club:
    """A tenant with two branches and one API key per role."""
    return await make_club(db, "alpha")


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=db.url), db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def member(client: httpx.AsyncClient, club: Club) -> dict[str, Any]:
    """A member of ``club``, enrolled through the API with a mobile of their own."""
    return await enrol(client, club)


@pytest.fixture
def cli(db: Database) -> Cli:
    """``await cli("demo", "--members", "150")``: the ``bashgah`` command line against the test database;
    ``typed=`` is what the user types at its prompts. A command runs its own event loop, so it runs in a
    thread beside the test's."""

    async def run(*args: str, typed: str = "") -> Result:
        return await asyncio.to_thread(run_command, db.url, args, typed)

    return run
