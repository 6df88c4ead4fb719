"""Stamp cards ("buy N, get one free") as the club defines them: create, edit (a new version each time),
retire, read, and the per-tenant cache of active ones that sales use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.cache import TenantCache
from bashgah.core.errors import InvalidInput
from bashgah.core.rows import all_owned, owned
from bashgah.core.versions import first_version, next_version, read_fields
from bashgah.models import (
    Reward,
    StampCard,
    utcnow,
)
from bashgah.stamps.schemas import (
    StampCardCreate,
    StampCardRead,
)


@dataclass(frozen=True)
class ActiveCard:
    """A stamp card as cached for sales: id, current version, definition and its reward row."""

    id: int
    version: int
    definition: StampCardCreate
    reward_id: int | None

    def open_at(self, at: datetime) -> bool:
        d = self.definition
        return (d.valid_from is None or d.valid_from <= at) and (d.valid_until is None or at < d.valid_until)


_active: TenantCache[tuple[ActiveCard, ...]] = TenantCache(ttl=5)


async def active_for(session: AsyncSession, tenant_id: int) -> tuple[ActiveCard, ...]:
    """The tenant's active stamp cards, cached (a club without any pays a dictionary look-up a sale)."""

    async def load() -> tuple[ActiveCard, ...]:
        rows = await session.execute(
            select(StampCard.id, StampCard.version, StampCard.definition, StampCard.reward_id)
            .where(StampCard.tenant_id == tenant_id, StampCard.active.is_(True))
            .order_by(StampCard.id)
        )
        return tuple(ActiveCard(i, v, StampCardCreate.model_validate(d), r) for i, v, d, r in rows)

    return await _active.get(session, tenant_id, load)


# --- definitions ---------------------------------------------------------------------------------------


def _bad(field: str, en: str, fa: str, field_fa: str) -> InvalidInput:
    return InvalidInput(field, en, fa, field_fa)


async def _checked_reward(
    session: AsyncSession, tenant_id: int, data: StampCardCreate, current: StampCard | None
) -> int | None:
    """Check the definition's rules between fields and find (or make) the reward row it gives."""
    earn, reward = data.earn, data.reward
    if earn.per == "unit" and earn.items is None:
        raise _bad(
            "earn.items",
            "a stamp per unit needs the items that earn it (skus or categories)",
            "مهر به ازای هر عدد، کالا یا دستهٔ مشمول را لازم دارد",
            "کالاهای مشمول",
        )
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        raise _bad("valid_until", "must be after valid_from", "باید بعد از شروع اعتبار باشد", "پایان اعتبار")
    if reward.kind == "points":
        if reward.points is None:
            raise _bad(
                "reward.points", "say how many points a full card gives", "امتیاز جایزه را بنویسید", "امتیاز"
            )
        return None
    if reward.kind == "reward":
        if reward.reward_id is None:
            raise _bad("reward.reward_id", "name the catalogue reward", "جایزهٔ کاتالوگ را مشخص کنید", "جایزه")
        found = await session.scalar(
            select(Reward).where(Reward.tenant_id == tenant_id, Reward.id == reward.reward_id)
        )
        if found is None:
            raise _bad(
                "reward.reward_id", "no such reward in the catalogue", "این جایزه در کاتالوگ نیست", "جایزه"
            )
        if found.kind == "partner_voucher":
            raise _bad(
                "reward.reward_id",
                "a partner voucher's codes run out; give a free product or points instead",
                "کدهای کارت هدیهٔ شریک تمام‌شدنی است؛ کالای رایگان یا امتیاز بدهید",
                "جایزه",
            )
        return found.id
    if reward.sku is None:
        raise _bad("reward.sku", "a free product needs its sku", "کالای رایگان کد کالا لازم دارد", "کد کالا")
    if current is not None and current.reward_id is not None:
        same = await session.scalar(select(Reward).where(Reward.id == current.reward_id))
        if (
            same is not None
            and same.kind == "free_product"
            and (same.sku, same.name_fa, same.name_en) == (reward.sku, data.name_fa, data.name_en)
        ):
            return same.id
    # A new row rather than an edit: rewards already given keep the product they were given for.
    # Inactive, so it is never in the catalogue members buy from; the till uses it like any other.
    free = Reward(
        tenant_id=tenant_id,
        name_fa=data.name_fa,
        name_en=data.name_en,
        kind="free_product",
        cost_points=0,
        sku=reward.sku,
        tiers=[],
        stock=None,
        per_member_limit=None,
        valid_from=utcnow(),
        valid_until=None,
        active=False,
        created_at=utcnow(),
    )
    session.add(free)
    await session.flush()
    return free.id


def _read(c: StampCard) -> StampCardRead:
    return StampCardRead(**read_fields(c, StampCardCreate), reward_id=c.reward_id)


async def create(session: AsyncSession, who: Principal, data: StampCardCreate) -> StampCardRead:
    who.require(*MANAGERS)
    now = utcnow()
    reward_id = await _checked_reward(session, who.tenant_id, data, None)
    card = StampCard(tenant_id=who.tenant_id, reward_id=reward_id, **first_version(data, now))
    session.add(card)
    await session.flush()
    _active.forget(session, who.tenant_id)
    return _read(card)


async def _get(session: AsyncSession, tenant_id: int, card_id: int, lock: bool = False) -> StampCard:
    return await owned(session, StampCard, tenant_id, card_id, ("Stamp card", "کارت مهر"), lock)


async def update(session: AsyncSession, who: Principal, card_id: int, data: StampCardCreate) -> StampCardRead:
    """A new version: open cards keep the stamps they need, stamps already given stay given."""
    who.require(*MANAGERS)
    card = await _get(session, who.tenant_id, card_id, lock=True)
    card.reward_id = await _checked_reward(session, who.tenant_id, data, card)
    next_version(card, data, utcnow())
    await session.flush()
    _active.forget(session, who.tenant_id)
    return _read(card)


async def retire(session: AsyncSession, who: Principal, card_id: int) -> StampCardRead:
    """Stop giving stamps; members' cards and rewards stay as they are."""
    card = await _get(session, who.tenant_id, card_id)
    data = StampCardCreate.model_validate(card.definition).model_copy(update={"active": False})
    return await update(session, who, card_id, data)


async def get(session: AsyncSession, who: Principal, card_id: int) -> StampCardRead:
    return _read(await _get(session, who.tenant_id, card_id))


async def list_cards(session: AsyncSession, who: Principal) -> list[StampCardRead]:
    return [_read(c) for c in await all_owned(session, StampCard, who.tenant_id)]
