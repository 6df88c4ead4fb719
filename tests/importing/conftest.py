"""Fixtures for the import/export tests: a club and the ``bashgah`` command line."""

from __future__ import annotations

import pytest
from import_helpers import Cli
from typer.testing import Result

from bashgah.core.db import Database
from support import Club, make_club, run_cli


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run ``bashgah …`` against the test database. The command runs its own event loop, so it runs in
    a thread beside the test's."""

    async def run(*args: str) -> Result:
        return await run_cli(db, monkeypatch, *args)

    return run


@pytest.fixture
async def shop(db: Database) -> Club:
    """1 point per 10,000 rials, points spendable 7 days after the sale, expiring after 12 months."""
    return await make_club(
        db,
        "alpha",
        earn_points=1,
        earn_per_rials=10_000,
        pending_days=7,
        expiry_mode="months",
        expiry_months=12,
    )
