"""The demo club, made once per database kind and test session, as `make run` makes it.

A full demo club (2,000 members, six months of sales) takes seconds to make: the tests that only read it
(and the README tour, which works on a copy of the SQLite one) share one build instead of each making
their own; the tests that make a club themselves use the ``cli`` fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from demo_helpers import DemoBuild, build

from bashgah.api.app import create_app
from bashgah.core.cache import clear_all as clear_caches
from bashgah.core.config import Settings
from bashgah.core.db import Database


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """The demo club on an SQLite file. Tests that change it work on a copy."""
    path = tmp_path_factory.mktemp("demo") / "bashgah.db"
    return build(f"sqlite+aiosqlite:///{path}")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def demo_build(request: pytest.FixtureRequest) -> DemoBuild:
    """The demo club on each kind of database, made once for the session and shared: the tests read it,
    and only the last one in test_demo.py adds a sale to it."""
    if request.param == "sqlite":
        shared: DemoBuild = request.getfixturevalue("demo_sqlite")
        return shared
    return build(request.getfixturevalue("new_postgres_database")("demo"))


@pytest.fixture
async def demo_db(demo_build: DemoBuild) -> AsyncIterator[Database]:
    clear_caches()
    database = Database(demo_build.url, pool_size=2)
    yield database
    await database.dispose()
    clear_caches()


@pytest.fixture
async def demo_client(demo_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=demo_db.url), db=demo_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client
