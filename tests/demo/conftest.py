"""Fixtures for the demo tests: the ``bashgah`` command line against the test database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import pytest
from typer.testing import CliRunner, Result

from bashgah.cli.main import app
from bashgah.core.config import get_settings
from bashgah.core.db import Database


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Awaitable[Result]]:
    """Run ``bashgah …`` in a thread (it runs its own event loop) against the test database."""

    def invoke(args: Sequence[str]) -> Result:
        monkeypatch.setenv("BASHGAH_DATABASE_URL", db.url)
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(args))
        finally:
            get_settings.cache_clear()

    async def run(*args: str) -> Result:
        return await asyncio.to_thread(invoke, args)

    return run
