"""A reward and its instances as the API shows them, and finding them in the club."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.rows import owned, read_of
from bashgah.coupons import rules as codes
from bashgah.models import (
    Reward,
    RewardInstance,
)
from bashgah.rewards.errors import (
    RewardInstanceUnknown,
)
from bashgah.rewards.schemas import (
    RewardInstanceRead,
    RewardRead,
)


def name_in(r: Reward, lang: str) -> str:
    return r.name_en if lang == "en" else r.name_fa


def read(r: Reward, lang: str) -> RewardRead:
    return read_of(RewardRead, r, name=name_in(r, lang), tiers=list(r.tiers or []))


def is_open(r: Reward, now: datetime) -> bool:
    """Whether the catalogue offers the reward now (active and within its dates)."""
    return r.active and r.valid_from <= now and (r.valid_until is None or r.valid_until > now)


def status_of(i: RewardInstance, now: datetime) -> str:
    if i.status == "issued" and i.expires_at is not None and i.expires_at <= now:
        return "expired"
    return i.status


def instance_read(i: RewardInstance, r: Reward, lang: str, now: datetime) -> RewardInstanceRead:
    return read_of(
        RewardInstanceRead,
        i,
        reward_id=r.id,
        reward_name=name_in(r, lang),
        kind=r.kind,
        status=status_of(i, now),
        sku=r.sku,
    )


async def find(session: AsyncSession, tenant_id: int, reward_id: int, lock: bool = False) -> Reward:
    return await owned(session, Reward, tenant_id, reward_id, ("Reward", "جایزه"), lock)


async def find_instance(
    session: AsyncSession, tenant_id: int, code: str, lock: bool = False
) -> tuple[RewardInstance, Reward]:
    query = (
        select(RewardInstance, Reward)
        .join(Reward, Reward.id == RewardInstance.reward_id)
        .where(RewardInstance.tenant_id == tenant_id, RewardInstance.code == codes.normalize_code(code))
    )
    if lock:
        query = query.with_for_update(of=RewardInstance).execution_options(populate_existing=True)
    row = (await session.execute(query)).first()
    if row is None:
        raise RewardInstanceUnknown()
    return row
