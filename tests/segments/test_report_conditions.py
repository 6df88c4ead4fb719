"""The segment conditions scored over the whole club (``rfm_group``, ``clv``, ``churn_risk``): the job
``bashgah jobs run scores`` stores the reports' scores, and the conditions read them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from segment_helpers import NOW, matching, sale, score
from sqlalchemy import select

from bashgah.analytics import reports
from bashgah.analytics.labels import GROUPS
from bashgah.core.db import Database
from bashgah.core.jalali import utcnow
from bashgah.models import MemberScore
from bashgah.segments import service
from bashgah.segments.schemas import CONDITION, SegmentCreate
from support import Club, enrol, purchase


async def _every(
    client: httpx.AsyncClient, club: Club, member_id: int, gap: int, times: int, last: int, total: int
) -> None:
    """``times`` purchases ``gap`` days apart, the last one ``last`` days before NOW."""
    for n in range(times):
        await sale(client, club, member_id, total, days_ago=last + gap * n)


async def test_churn_risk_is_the_churn_report_list_with_its_k(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    weekly_stopped = await enrol(client, club)  # every week for two months, then nothing for 60 days
    await _every(client, club, weekly_stopped["id"], gap=7, times=9, last=60, total=200_000)
    weekly = await enrol(client, club)  # every week, last time 3 days ago
    await _every(client, club, weekly["id"], gap=7, times=9, last=3, total=200_000)
    monthly = await enrol(client, club)  # every 30 days, last time 50 days ago
    await _every(client, club, monthly["id"], gap=30, times=4, last=50, total=500_000)
    once = await enrol(client, club)  # one purchase long ago: no rhythm to be late against
    await sale(client, club, once["id"], 100_000, days_ago=300)
    await enrol(client, club)  # never bought
    assert await score(db) == 4  # everyone who bought

    # 60 days since > 2 × 7; the monthly buyer's 50 days are not 2 × 30.
    assert await matching(db, club, {"type": "churn_risk"}) == {weekly_stopped["id"]}
    assert await matching(db, club, {"type": "churn_risk", "k": 2}) == {weekly_stopped["id"]}
    # 50 > 1 × 30; and 60 > 8 × 7 = 56 but not 9 × 7 = 63.
    assert await matching(db, club, {"type": "churn_risk", "k": 1}) == {
        weekly_stopped["id"],
        monthly["id"],
    }
    assert await matching(db, club, {"type": "churn_risk", "k": 8}) == {weekly_stopped["id"]}
    assert await matching(db, club, {"type": "churn_risk", "k": 9}) == set()
    # Two lists in one definition, and with a purchase window condition.
    either = {
        "type": "any",
        "conditions": [{"type": "churn_risk", "k": 9}, {"type": "churn_risk", "k": 1.5}],
    }
    assert await matching(db, club, either) == {weekly_stopped["id"], monthly["id"]}
    big_and_late = {
        "type": "all",
        "conditions": [
            {"type": "churn_risk", "k": 1},
            {"type": "spend", "days": 365, "min_rials": 2_000_000},
        ],
    }
    assert await matching(db, club, big_and_late) == {monthly["id"]}
    # Exactly whom the churn report lists.
    async with db.transaction() as session:
        report = await reports.churn(session, club.tenant_id, "en", reports.Params(as_of=NOW, k=1))
    assert {row["member_id"] for row in report.as_dicts("members")} == {weekly_stopped["id"], monthly["id"]}


async def test_clv_probability_alive_and_expected_value(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    steady = await enrol(client, club)  # every week for a year, last time 2 days ago
    await _every(client, club, steady["id"], gap=7, times=30, last=2, total=400_000)
    stopped = await enrol(client, club)  # every week for months, then nothing for ten months
    await _every(client, club, stopped["id"], gap=7, times=12, last=300, total=400_000)
    casual = await enrol(client, club)  # every two months, last time a month ago
    await _every(client, club, casual["id"], gap=60, times=5, last=30, total=150_000)
    once = await enrol(client, club)  # one purchase: no repeat, so the model cannot say they left
    await sale(client, club, once["id"], 900_000, days_ago=200)
    never = await enrol(client, club)
    await score(db)

    async with db.transaction() as session:
        report = await reports.clv(session, club.tenant_id, "en", reports.Params(as_of=NOW))
    scored = {row["member_id"]: row for row in report.as_dicts("members")}
    assert set(scored) == {steady["id"], stopped["id"], casual["id"], once["id"]}
    # BG/NBD: without a repeat purchase a member is alive with probability 1.
    assert scored[once["id"]]["probability_alive"] == 1.0
    # A weekly buyer silent for ten months has almost surely left; one who came this week has not.
    assert scored[stopped["id"]]["probability_alive"] < 0.01
    assert scored[steady["id"]]["probability_alive"] > 0.9
    values = {i: row["expected_value_365d_rials"] for i, row in scored.items()}
    assert values[steady["id"]] > max(values[casual["id"]], values[stopped["id"]], values[once["id"]])

    assert await matching(db, club, {"type": "clv", "min_probability_alive": 1}) == {once["id"]}
    assert await matching(db, club, {"type": "clv", "max_probability_alive": 0.5}) == {stopped["id"]}
    assert never["id"] not in await matching(db, club, {"type": "clv", "min_value_rials": 0})
    assert await matching(db, club, {"type": "clv", "min_value_rials": 0}) == set(scored)
    # The steady buyer alone is worth more than everyone else.
    runner_up = max(v for i, v in values.items() if i != steady["id"])
    assert await matching(db, club, {"type": "clv", "min_value_rials": runner_up + 1}) == {steady["id"]}
    assert await matching(db, club, {"type": "clv", "max_value_rials": runner_up}) == set(scored) - {
        steady["id"]
    }
    # Both bounds at once: still active and worth something, but not the best customer.
    both = {
        "type": "clv",
        "max_value_rials": runner_up,
        "min_probability_alive": 0.5,
    }
    assert await matching(db, club, both) == {
        i for i in set(scored) - {steady["id"]} if scored[i]["probability_alive"] >= 0.5
    }
    assert stopped["id"] not in await matching(db, club, both)
    assert once["id"] in await matching(db, club, both)


async def test_clv_matches_nobody_while_nobody_has_bought_twice(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    await sale(client, club, member["id"], 500_000, days_ago=10)
    assert await score(db) == 1  # scored by RFM, but without a CLV
    # The models cannot be fitted: the condition matches nobody instead of failing.
    assert await matching(db, club, {"type": "clv", "min_probability_alive": 0}) == set()
    assert await matching(
        db,
        club,
        {
            "type": "any",
            "conditions": [
                {"type": "clv", "max_value_rials": 10**12},
                {"type": "status", "status": "active"},
            ],
        },
    ) == {member["id"]}


async def _segments(db: Database, club: Club, **definitions: dict[str, object]) -> dict[str, int]:
    async with db.transaction() as session:
        return {
            name: (
                await service.create(
                    session,
                    club.tenant_id,
                    SegmentCreate(name=name, definition=CONDITION.validate_python(definition)),
                )
            ).id
            for name, definition in definitions.items()
        }


async def _weekly_then_quiet(client: httpx.AsyncClient, club: Club, member_id: int, quiet: int) -> None:
    """Six purchases a week apart, the last ``quiet`` days ago by the real clock."""
    now = utcnow()
    for n in range(6):
        at = now - timedelta(days=quiet + 7 * n)
        response = await purchase(client, club, member_id, 300_000, occurred_at=at.isoformat())
        assert response.status_code == 201, response.text


async def test_score_conditions_read_the_last_run_of_the_job(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    """Counts and ``is_member`` agree with the stored scores until the job runs again."""
    regular = await enrol(client, club)
    newcomer = await enrol(client, club)
    await _weekly_then_quiet(client, club, regular["id"], quiet=60)
    steady = await enrol(client, club)  # the models need two members who came back
    await _weekly_then_quiet(client, club, steady["id"], quiet=2)
    ids = await _segments(
        db, club, churning={"type": "churn_risk"}, scored={"type": "clv", "min_value_rials": 0}
    )

    async def member_of(name: str, who: dict[str, int]) -> bool:
        async with db.transaction() as session:
            return await service.is_member(session, club.tenant_id, ids[name], who["id"])

    async def counted(name: str) -> int:
        async with db.transaction() as session:
            return await service.count(session, club.tenant_id, ids[name])

    assert not await member_of("churning", regular)  # not scored yet: no score condition matches
    assert await counted("scored") == 0
    await score(db, at=None)
    assert await member_of("churning", regular)
    assert await member_of("scored", regular)
    assert not await member_of("scored", newcomer)  # never bought: not scored
    assert (await counted("churning"), await counted("scored")) == (1, 2)
    # Both buy today: the segments follow at the next run of the job, counts and is_member alike.
    for who in (regular, newcomer):
        response = await purchase(client, club, who["id"], 300_000, occurred_at=utcnow().isoformat())
        assert response.status_code == 201, response.text
    assert await member_of("churning", regular)
    assert (await counted("churning"), await counted("scored")) == (1, 2)
    assert await score(db, at=None) == 3
    assert not await member_of("churning", regular)
    assert await member_of("scored", newcomer)
    assert (await counted("churning"), await counted("scored")) == (0, 3)


async def test_a_sale_with_a_campaign_on_an_rfm_segment_scores_nobody(
    client: httpx.AsyncClient, club: Club, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sale reads the stored group: it never runs a report over the club, whose cache is cold."""
    buyers = [await enrol(client, club) for _ in range(5)]
    for i, buyer in enumerate(buyers, start=1):  # buyer 5 is the champion (as in the rfm_group test)
        for k in range(i):
            await sale(client, club, buyer["id"], i * 100_000, days_ago=60 - 10 * i + 15 * k)
    await score(db, at=None)
    segment_id = (await _segments(db, club, best={"type": "rfm_group", "groups": ["champions"]}))["best"]
    campaign = await client.post(
        "/api/v1/campaigns",
        json={
            "name_fa": "جایزهٔ قهرمانان",
            "rules": [
                {
                    "key": "champions",
                    "conditions": [{"type": "segment", "segments": [segment_id]}],
                    "effects": [{"type": "fixed_bonus", "points": 300}],
                }
            ],
        },
        headers=club.headers("manager"),
    )
    assert campaign.status_code == 201, campaign.text

    async def no_scoring(*args: object, **kwargs: object) -> reports.Report:
        raise AssertionError("a sale must not score the club")

    for name in ("rfm", "clv", "churn"):
        monkeypatch.setattr(reports, name, no_scoring)
    got = [await sale(client, club, b["id"], 100_000, days_ago=0) for b in (buyers[4], buyers[0])]
    assert [s["points_bonus"] for s in got] == [300, 0]


async def test_running_the_job_twice_changes_nothing_the_second_time(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    members = [await enrol(client, club) for _ in range(4)]
    for i, member in enumerate(members[:3], start=1):
        await _every(client, club, member["id"], gap=10 * i, times=i + 1, last=5 * i, total=i * 200_000)

    async def stored() -> list[tuple[object, ...]]:
        async with db.transaction() as session:
            rows = await session.execute(
                select(MemberScore.__table__).where(MemberScore.tenant_id == club.tenant_id)
            )
            return sorted(tuple(row) for row in rows)

    assert await score(db) == 3
    first = await stored()
    assert [row[0] for row in first] == [m["id"] for m in members[:3]]
    assert await score(db) == 3
    assert await stored() == first


@pytest.mark.parametrize(
    "definition",
    [
        {"type": "clv"},
        {"type": "clv", "min_value_rials": 10, "max_value_rials": 5},
        {"type": "clv", "min_probability_alive": 0.9, "max_probability_alive": 0.1},
        {"type": "clv", "min_probability_alive": 1.5},
        {"type": "clv", "min_value_rials": -1},
        {"type": "clv", "window_days": 365, "min_value_rials": 1},
        {"type": "churn_risk", "k": 0},
        {"type": "churn_risk", "k": 101},
    ],
)
def test_malformed_report_conditions_are_refused(definition: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CONDITION.validate_python(definition)


async def test_two_runs_at_once_both_succeed_with_the_same_scores(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    members = [await enrol(client, club) for _ in range(3)]
    for i, member in enumerate(members, start=1):
        await _every(client, club, member["id"], gap=7 * i, times=i + 1, last=3 * i, total=i * 100_000)
    assert await asyncio.gather(score(db), score(db)) == [3, 3]
    grouped = {"type": "rfm_group", "groups": list(GROUPS)}
    assert await matching(db, club, grouped) == {m["id"] for m in members}
