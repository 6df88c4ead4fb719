"""The embedded default runs the jobs inside the server: periodically, daily ones once a Tehran day,
without ever taking the server down, and stopping with it."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import httpx
import pytest

from bashgah.api.app import create_app
from bashgah.core.config import Settings
from bashgah.core.db import Database
from bashgah.jobs import registry
from bashgah.jobs.scheduler import Scheduler
from occasions.occasion_helpers import gifted_points, new_rule, tehran
from support import Club, enrol


async def wait_for_rounds(scheduler: Scheduler, rounds: int) -> None:
    for _ in range(500):
        if scheduler.rounds >= rounds:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the scheduler made {scheduler.rounds} rounds")


async def test_the_scheduler_gives_the_nowruz_gift_in_process_once_a_day(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await new_rule(client, club, "nowruz", points=100)
    member = await enrol(client, club)
    clock: list[datetime] = [tehran(1406, 1, 1, hour=9)]
    scheduler = Scheduler(db, interval=0.01, clock=lambda: clock[0])

    scheduler.start()
    try:
        await wait_for_rounds(scheduler, 3)
        assert set(scheduler.last_day) == {"tiers", "occasions", "notices", "scores"}
        ran = [r.name for r in await scheduler.round()]
    finally:
        await scheduler.stop()

    assert ran == ["release", "expire", "expire_wallets"]  # the daily jobs already ran today
    assert await gifted_points(client, club, member["id"]) == [100]


async def test_a_failing_job_is_logged_and_the_scheduler_goes_on(
    club: Club, db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object) -> int:
        raise RuntimeError("secret 09121234567")

    monkeypatch.setattr(registry, "JOBS", (registry.Job("broken", "things", broken, daily=True),))
    monkeypatch.setattr(registry, "BY_NAME", {"broken": registry.JOBS[0]})
    scheduler = Scheduler(db, interval=0.01)
    with caplog.at_level(logging.ERROR, logger="bashgah.jobs"):
        scheduler.start()
        try:
            await wait_for_rounds(scheduler, 2)
        finally:
            await scheduler.stop()
    assert "job broken failed for tenant" in caplog.text
    assert "0912" not in caplog.text  # the error's class only, never its text
    assert "broken" not in scheduler.last_day  # a failed daily job is tried again next round


async def test_serve_starts_the_scheduler_with_the_app_and_stops_it_on_shutdown(db: Database) -> None:
    app = create_app(Settings(database_url=db.url, scheduler=True, scheduler_minutes=0.0002), db=db)
    async with app.router.lifespan_context(app):
        scheduler: Scheduler = app.state.scheduler
        await wait_for_rounds(scheduler, 2)
    assert scheduler._task is None
    rounds = scheduler.rounds
    await asyncio.sleep(0.05)
    assert scheduler.rounds == rounds


async def test_the_scheduler_is_on_by_default_for_sqlite_and_off_for_postgresql(db: Database) -> None:
    app = create_app(Settings(database_url=db.url), db=db)
    async with app.router.lifespan_context(app):
        assert (app.state.scheduler is not None) == db.is_sqlite
