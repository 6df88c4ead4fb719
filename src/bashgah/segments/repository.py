"""The segments' queries: codes a definition names, members by mobile or id, a static segment's rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.jalali import utcnow
from bashgah.models import Branch, Member, SegmentMember, TierLevel
from bashgah.segments.predicate import members_t

segment_members_t = cast(Table, SegmentMember.__table__)
#: Mobiles looked up per query when resolving a list (well under every database's parameter limit).
CHUNK = 1_000


@dataclass
class StaticChange:
    added: int = 0
    already: int = 0
    removed: int = 0


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


async def missing_codes(
    session: AsyncSession, tenant_id: int, model: type[Branch | TierLevel], codes: set[str]
) -> list[str]:
    """The ``codes`` no branch (or tier level) of the club has, sorted."""
    if not codes:
        return []
    known = set(
        (
            await session.scalars(
                select(model.code).where(model.tenant_id == tenant_id, model.code.in_(codes))
            )
        ).all()
    )
    return sorted(codes - known)


async def count_members(session: AsyncSession, tenant_id: int, predicate: ColumnElement[bool]) -> int:
    counted = await session.scalar(
        select(func.count()).select_from(members_t).where(members_t.c.tenant_id == tenant_id, predicate)
    )
    return int(counted or 0)


async def ids_by_mobile(session: AsyncSession, tenant_id: int, mobiles: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(set(mobiles))):
        rows = await session.execute(
            select(Member.mobile, Member.id).where(Member.tenant_id == tenant_id, Member.mobile.in_(chunk))
        )
        found.update({row[0]: row[1] for row in rows})
    return found


async def existing_ids(session: AsyncSession, tenant_id: int, ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(set(ids))):
        found.update(
            (
                await session.scalars(
                    select(Member.id).where(Member.tenant_id == tenant_id, Member.id.in_(chunk))
                )
            ).all()
        )
    return found


async def put_members(
    session: AsyncSession, tenant_id: int, segment_id: int, member_ids: set[int], replace: bool
) -> StaticChange:
    """Make ``member_ids`` members of the static segment (its only members with ``replace``)."""
    change = StaticChange()
    current = set(
        (
            await session.scalars(
                select(segment_members_t.c.member_id).where(segment_members_t.c.segment_id == segment_id)
            )
        ).all()
    )
    if replace:
        gone = sorted(current - member_ids)
        for chunk in chunks(gone):
            await session.execute(
                delete(segment_members_t).where(
                    segment_members_t.c.segment_id == segment_id, segment_members_t.c.member_id.in_(chunk)
                )
            )
        change.removed = len(gone)
    new = sorted(member_ids - current)
    change.already = len(member_ids) - len(new)
    if new:
        now = utcnow()
        await session.execute(
            insert(segment_members_t),
            [
                {"segment_id": segment_id, "member_id": i, "tenant_id": tenant_id, "created_at": now}
                for i in new
            ],
        )
    change.added = len(new)
    return change
