"""A member's reward used in a sale: what it takes off the basket, and marking it used exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.models import (
    Reward,
    RewardInstance,
)
from bashgah.rewards.errors import (
    RewardInstanceClosed,
    RewardInstanceUnknown,
)
from bashgah.rewards.reads import find_instance, name_in, read, status_of
from bashgah.rewards.schemas import (
    RewardRead,
)


async def mark_used(session: AsyncSession, tenant_id: int, instance: RewardInstance, now: datetime) -> None:
    """The conditional update lets exactly one till use an issued reward."""
    done = await session.execute(
        update(RewardInstance)
        .where(
            RewardInstance.id == instance.id,
            RewardInstance.status == "issued",
            or_(RewardInstance.expires_at.is_(None), RewardInstance.expires_at > now),
        )
        .values(status="used", used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(Any, done).rowcount != 1:
        instance, _ = await find_instance(session, tenant_id, instance.code, lock=True)
        raise RewardInstanceClosed(None, status=status_of(instance, now))


@dataclass(frozen=True)
class OnSale:
    """A member's reward as a sale uses it: which instance, its name and what it takes off the basket."""

    instance_id: int
    code: str
    name: str
    discount_rials: int


async def for_sale(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    code: str,
    total_rials: int,
    lang: str,
    now: datetime,
    use: bool,
) -> OnSale:
    """The member's own issued reward with this code and what it takes off ``total_rials`` — marked used
    when ``use`` (a sale), only looked at otherwise (a dry run). Another member's code is refused as
    unknown; a used, cancelled or expired one as closed."""
    instance, reward = await find_instance(session, tenant_id, code)
    if instance.member_id != member_id:
        raise RewardInstanceUnknown()
    status = status_of(instance, now)
    if status != "issued":
        raise RewardInstanceClosed(None, status=status)
    if use:
        await mark_used(session, tenant_id, instance, now)
    return OnSale(
        instance.id, instance.code, name_in(reward, lang), till_discount(read(reward, lang), total_rials)
    )


async def names_of(session: AsyncSession, instance_id: int, lang: str) -> tuple[str, str] | None:
    """(code, name) of a reward instance, for a receipt."""
    row = (
        await session.execute(
            select(RewardInstance.code, Reward)
            .join(Reward, Reward.id == RewardInstance.reward_id)
            .where(RewardInstance.id == instance_id)
        )
    ).first()
    return (row[0], name_in(row[1], lang)) if row is not None else None


def till_discount(reward: RewardRead, total_rials: int) -> int:
    """What a reward takes off a basket at the till: its amount or its percentage (capped), never more than
    the basket; rewards that are a product, a gift, a voucher or shipping take nothing off the total."""
    if reward.kind == "discount_amount":
        return min(reward.discount_rials or 0, total_rials)
    if reward.kind == "discount_percent":
        off = total_rials * (reward.discount_percent or 0) // 100
        if reward.max_discount_rials is not None:
            off = min(off, reward.max_discount_rials)
        return min(off, total_rials)
    return 0
