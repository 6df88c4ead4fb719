"""Must show 5: every job run twice changes nothing the second time; `bashgah jobs run` runs them all."""

from __future__ import annotations

import httpx
from job_helpers import ONCE, busy_club, snapshot

from bashgah.core.db import Database
from bashgah.core.jalali import utcnow
from bashgah.jobs import registry
from support import Cli, Club, ledger_problems


async def test_every_job_run_twice_changes_nothing_the_second_time(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await busy_club(client, club, db, utcnow())
    now = utcnow()  # after the purchases, so that they are scored

    first = {r.name: r.done for r in await registry.run_all(db, now)}
    after_first = await snapshot(db)
    second = {r.name: r.done for r in await registry.run_all(db, now)}

    assert {name: first[name] for name in ONCE} == ONCE
    assert {name: second[name] for name in ONCE} == dict.fromkeys(ONCE, 0)
    assert first["scores"] == second["scores"] > 0  # scores are replaced by the same scores
    assert await snapshot(db) == after_first
    assert [r.name for r in registry.JOBS] == [
        "release",
        "expire",
        "expire_wallets",
        "tiers",
        "occasions",
        "notices",
        "scores",
    ]
    assert await ledger_problems(db) == []


async def test_jobs_run_from_the_command_line_prints_what_each_job_did(
    client: httpx.AsyncClient, club: Club, db: Database, cli: Cli
) -> None:
    await busy_club(client, club, db, utcnow())

    one = await cli("jobs", "run", "expire")
    assert one.exit_code == 0, one.output
    assert one.output.splitlines() == ["expire: 100 points expired (1 tenant(s))"]
    everything = await cli("jobs", "run")
    assert everything.exit_code == 0, everything.output
    assert "expire: 0 points expired" in everything.output
    assert "occasions: 1 occasion gifts given" in everything.output
    assert "notices: 1 expiring-soon notices recorded" in everything.output
    assert (await cli("jobs", "run", "nope")).exit_code != 0
    listed = await cli("jobs", "list")
    assert "pending    no job: " in listed.output
