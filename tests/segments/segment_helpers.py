"""Helpers for the segment tests: who a definition matches at a fixed moment."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.models import Member
from bashgah.segments import service
from bashgah.segments.schemas import CONDITION, SegmentCreate
from bashgah.segments.tasks import score_all, score_members
from support import Club, bought

#: The moment every condition test is evaluated at: 1 November 2026, 12:00 UTC (1405/08/10 in Tehran).
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_names = itertools.count(1)


async def matching(db: Database, club: Club, definition: dict[str, Any], at: datetime = NOW) -> set[int]:
    """The ids of the members the definition matches at ``at``. The count, the query and ``is_member``
    on a saved segment, member by member, must all agree."""
    condition = CONDITION.validate_python(definition)
    async with db.transaction() as session:
        counted = await service.preview(session, club.tenant_id, condition, at)
        predicate = await service.predicate(session, club.tenant_id, condition, at)
        ids = set(
            (
                await session.scalars(select(Member.id).where(Member.tenant_id == club.tenant_id, predicate))
            ).all()
        )
        everyone = (await session.scalars(select(Member.id).where(Member.tenant_id == club.tenant_id))).all()
        saved = await service.create(
            session, club.tenant_id, SegmentCreate(name=f"check {next(_names)}", definition=condition)
        )
    assert counted == len(ids)
    async with db.transaction() as session:
        one_by_one = {
            m for m in everyone if await service.is_member(session, club.tenant_id, saved.id, m, at)
        }
    assert one_by_one == ids
    return ids


async def score(db: Database, at: datetime | None = NOW) -> int:
    """Run the scoring job (``bashgah jobs run scores``) as of ``at`` (None: now), as cron would."""
    async with db.transaction() as session:
        return await (score_members(session) if at is None else score_all(session, at))


async def sale(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, days_ago: float, **fields: Any
) -> dict[str, Any]:
    """A purchase ``days_ago`` days before :data:`NOW`."""
    at = NOW - timedelta(days=days_ago)
    return await bought(client, club, member_id, total, occurred_at=at.isoformat(), **fields)
