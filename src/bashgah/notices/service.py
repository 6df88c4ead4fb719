"""Reading the recorded notices (managers): per member, or the tenant's unsent ones for the messaging work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.members import service as members
from bashgah.models import Notice
from bashgah.notices.schemas import NoticeRead


def _read(n: Notice) -> NoticeRead:
    return NoticeRead(
        id=n.id,
        member_id=n.member_id,
        kind=n.kind,
        payload=dict(n.payload),
        due_at=n.due_at,
        sent_at=n.sent_at,
        created_at=n.created_at,
    )


async def list_notices(
    session: AsyncSession,
    tenant_id: int,
    member_id: int | None = None,
    unsent: bool = False,
    after: int | None = None,
    limit: int = 100,
) -> list[NoticeRead]:
    """Oldest first, ``limit`` at a time after the id ``after``."""
    query = select(Notice).where(Notice.tenant_id == tenant_id)
    if member_id is not None:
        await members.get(session, tenant_id, member_id)
        query = query.where(Notice.member_id == member_id)
    if unsent:
        query = query.where(Notice.sent_at.is_(None))
    if after is not None:
        query = query.where(Notice.id > after)
    return [_read(n) for n in (await session.scalars(query.order_by(Notice.id).limit(limit))).all()]
