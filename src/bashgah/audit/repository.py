"""Queries over ``audit_log`` and the names of the objects its lines point at (one query per kind for a
whole page of lines)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.models import AuditEntry, TierLevel


@dataclass(frozen=True)
class Filter:
    """Which lines: from an instant, before another, by a person, of an action, older than a line."""

    since: datetime | None = None
    until: datetime | None = None
    who: int | None = None
    what: str | None = None
    before: int | None = None


async def lines(session: AsyncSession, tenant_id: int, where: Filter, limit: int) -> list[AuditEntry]:
    """The club's lines, newest first, at most ``limit``."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if where.since is not None:
        query = query.where(AuditEntry.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEntry.at < where.until)
    if where.who is not None:
        query = query.where(AuditEntry.actor_staff_id == where.who)
    if where.what:
        query = query.where(AuditEntry.action == where.what)
    if where.before is not None:
        query = query.where(AuditEntry.id < where.before)
    return list((await session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))).all())


async def columns_of(
    session: AsyncSession, tenant_id: int, model: Any, ids: Iterable[int], *columns: Any
) -> dict[int, tuple[Any, ...]]:
    """id → the given columns, for the club's rows of ``model`` among ``ids``."""
    query = select(model.id, *columns).where(model.tenant_id == tenant_id, model.id.in_(list(ids)))
    return {row[0]: tuple(row[1:]) for row in (await session.execute(query)).all()}


async def level_names(session: AsyncSession, tenant_id: int) -> list[tuple[str, str, str]]:
    """Every tier level's code with its Persian and English names."""
    query = select(TierLevel.code, TierLevel.name_fa, TierLevel.name_en).where(
        TierLevel.tenant_id == tenant_id
    )
    return [(code, fa, en) for code, fa, en in (await session.execute(query)).all()]
