"""Reading members' stamp cards: progress on every card, the one-line brief, and what a sale would add."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.members import service as members
from bashgah.models import (
    MemberStampCard,
    Reward,
    RewardInstance,
    StampCard,
    utcnow,
)
from bashgah.points.schemas import StampsBrief
from bashgah.programme.conditions import Line
from bashgah.rewards import reads as rewards
from bashgah.stamps import rules
from bashgah.stamps.cards import active_for
from bashgah.stamps.earning import open_card_query
from bashgah.stamps.schemas import (
    CompletedCard,
    StampCardCreate,
    StampPreview,
    StampProgress,
)


async def progress(session: AsyncSession, tenant_id: int, member_id: int, lang: str) -> list[StampProgress]:
    """Every stamp card the club runs or the member holds: stamps on the open card of how many, and
    the completed cards with their rewards' codes."""
    await members.get(session, tenant_id, member_id)
    now = utcnow()
    mine = (
        await session.scalars(
            select(MemberStampCard)
            .where(MemberStampCard.member_id == member_id, MemberStampCard.status.in_(("open", "completed")))
            .order_by(MemberStampCard.id)
        )
    ).all()
    held = {m.card_id for m in mine}
    cards = (
        await session.scalars(
            select(StampCard)
            .where(StampCard.tenant_id == tenant_id)
            .where((StampCard.active.is_(True)) | (StampCard.id.in_(held)))
            .order_by(StampCard.id)
        )
    ).all()
    instance_ids = [m.reward_instance_id for m in mine if m.reward_instance_id is not None]
    instances = {
        i.id: (i, r)
        for i, r in (
            await session.execute(
                select(RewardInstance, Reward)
                .join(Reward, Reward.id == RewardInstance.reward_id)
                .where(RewardInstance.id.in_(instance_ids))
            )
        ).all()
    }
    result = []
    for card in cards:
        d = StampCardCreate.model_validate(card.definition)
        open_ = [m for m in mine if m.card_id == card.id and m.status == "open"]
        current = (
            open_[-1] if open_ and (open_[-1].expires_at is None or open_[-1].expires_at > now) else None
        )
        completed = []
        for m in mine:
            if m.card_id != card.id or m.status != "completed":
                continue
            found = instances.get(m.reward_instance_id or 0)
            completed.append(
                CompletedCard(
                    id=m.id,
                    completed_at=m.completed_at,
                    reward_kind=found[1].kind if found else "points",
                    reward_code=found[0].code if found else None,
                    reward_status=rewards.status_of(found[0], now) if found else None,
                    reward_points=m.reward_points,
                )
            )
        result.append(
            StampProgress(
                card_id=card.id,
                name=d.name(lang),
                stamps=current.stamps if current else 0,
                stamps_needed=current.stamps_needed if current else d.stamps_needed,
                expires_at=current.expires_at if current else None,
                active=card.active,
                completed=completed,
            )
        )
    return result


async def brief(session: AsyncSession, member_id: int) -> list[StampsBrief]:
    """The member's open cards in a line each, for the balance summary (one query)."""
    now = utcnow()
    rows = await session.execute(
        select(MemberStampCard, StampCard.definition)
        .join(StampCard, StampCard.id == MemberStampCard.card_id)
        .where(MemberStampCard.member_id == member_id, MemberStampCard.status == "open")
        .order_by(MemberStampCard.card_id)
    )
    return [
        StampsBrief(
            card_id=m.card_id,
            name_fa=d["name_fa"],
            name_en=d["name_en"],
            stamps=m.stamps,
            stamps_needed=m.stamps_needed,
        )
        for m, d in rows
        if m.expires_at is None or m.expires_at > now
    ]


async def preview(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    lines: Sequence[Line],
    total_rials: int,
    at: datetime,
    lang: str,
) -> list[StampPreview]:
    """What a sale would put on each card (examine): reads, never writes."""
    cards = [c for c in await active_for(session, tenant_id) if c.open_at(at)]
    if not cards:
        return []
    now = utcnow()
    result = []
    for card in cards:
        n = rules.stamps_for(card.definition.earn, lines, total_rials)
        if not n:
            continue
        row = await session.scalar(open_card_query(member_id, card.id))
        if row is not None and row.expires_at is not None and row.expires_at <= now:
            row = None
        have = row.stamps if row else 0
        needed = row.stamps_needed if row else card.definition.stamps_needed
        # Cards after the first are opened with the definition's current size.
        first = min(n, needed - have)
        more = rules.fill(0, card.definition.stamps_needed, n - first)[0] if n > first else 0
        result.append(
            StampPreview(
                card_id=card.id,
                name=card.definition.name(lang),
                stamps=n,
                progress_before=have,
                stamps_needed=needed,
                would_complete=(1 if have + first >= needed else 0) + more,
            )
        )
    return result
