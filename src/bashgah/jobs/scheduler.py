"""The in-process scheduler of the embedded default: ``bashgah serve`` runs the jobs in the background.

Every ``interval`` seconds it runs the frequent jobs, and the daily ones when they have not yet run on
this Tehran day. A job's error is logged and the server goes on; ``stop()`` cancels the loop on shutdown.
On PostgreSQL run ``bashgah jobs run`` from cron instead (it is off there unless BASHGAH_SCHEDULER=1).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN, utcnow
from bashgah.jobs import registry

log = logging.getLogger("bashgah.jobs")


class Scheduler:
    def __init__(self, db: Database, interval: float, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.interval = interval
        self.clock = clock
        #: The Tehran day each daily job last ran on.
        self.last_day: dict[str, date] = {}
        #: Rounds completed (tests wait on it).
        self.rounds = 0
        self._task: asyncio.Task[None] | None = None

    async def round(self) -> list[registry.JobResult]:
        """Run what is due now; never raises."""
        now = self.clock()
        today = now.astimezone(TEHRAN).date()
        results = []
        for job in registry.JOBS:
            if job.daily and self.last_day.get(job.name) == today:
                continue
            try:
                result = await registry.run(self.db, job.name, now)
            except Exception as error:  # e.g. the database is down: try again next round
                log.error("scheduled job %s failed: %s", job.name, error.__class__.__name__)
                continue
            results.append(result)
            if job.daily and not result.failed:
                self.last_day[job.name] = today
            if result.done or result.failed:
                log.info("%s", result.line())
        self.rounds += 1
        return results

    async def _loop(self) -> None:
        while True:
            await self.round()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="bashgah-scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
