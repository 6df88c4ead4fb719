"""Campaigns: create, edit (a new version each time), read, and the per-tenant cache of active ones.

The purchase path asks :func:`active_for` (cached, so a club without campaigns pays one dictionary
look-up). Every object a campaign names is checked to belong to the club when it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.cache import TenantCache
from bashgah.core.errors import InvalidInput
from bashgah.core.rows import all_owned, owned, read_of
from bashgah.core.versions import first_version, next_version, read_fields
from bashgah.models import (
    Branch,
    Campaign,
    CampaignAward,
    CampaignVersion,
    CouponBatch,
    Reward,
    Segment,
    StampCard,
    utcnow,
)
from bashgah.programme import engine
from bashgah.programme.engine import ActiveCampaign
from bashgah.programme.schemas import (
    BranchIn,
    CampaignCreate,
    CampaignRead,
    CampaignVersionRead,
    InSegment,
    IssueCoupon,
    IssueReward,
    Stamps,
)
from bashgah.programme.schemas import Tier as TierCondition
from bashgah.tiers import service as tiers

WRITERS = ("owner", "manager")


@dataclass(frozen=True)
class Active:
    """A tenant's active campaigns as evaluated on every sale, and the facts their rules need."""

    campaigns: tuple[ActiveCampaign, ...]
    needs: engine.Needs
    #: Whether any rule fires on purchases (worked out once, not on every sale).
    purchase: bool


_active: TenantCache[Active] = TenantCache(ttl=5)


async def active_for(session: AsyncSession, tenant_id: int) -> Active:
    """The tenant's active campaigns, cached like the programme settings (see core.cache)."""

    async def load() -> Active:
        rows = await session.execute(
            select(Campaign.id, Campaign.version, Campaign.definition).where(
                Campaign.tenant_id == tenant_id, Campaign.active.is_(True)
            )
        )
        campaigns = tuple(ActiveCampaign(i, v, CampaignCreate.model_validate(d)) for i, v, d in rows)
        on_purchase = any(r.trigger == "purchase" for c in campaigns for r in c.definition.rules)
        return Active(campaigns, engine.needs_of(campaigns), on_purchase)

    return await _active.get(session, tenant_id, load)


async def _points_awarded(session: AsyncSession, campaign_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(CampaignAward.points), 0)).where(
            CampaignAward.campaign_id == campaign_id
        )
    )
    return int(total or 0)


async def _read(session: AsyncSession, c: Campaign, awarded: int | None = None) -> CampaignRead:
    return CampaignRead(
        **read_fields(c, CampaignCreate),
        points_awarded=await _points_awarded(session, c.id) if awarded is None else awarded,
    )


def _refuse_missing(wanted: set[Any], known: set[Any], field: str, en: str, fa: str, field_fa: str) -> None:
    """A 422 naming what ``wanted`` holds and the club does not (``en`` and ``fa`` have a ``{}`` for the list)."""
    if missing := sorted(wanted - known):
        listed = ", ".join(str(i) for i in missing)
        raise InvalidInput(field, en.format(listed), fa.format(listed), field_fa)


async def _in_club(
    session: AsyncSession, column: Any, tenant_column: Any, tenant_id: int, wanted: set[Any], *also: Any
) -> set[Any]:
    """Which of ``wanted`` the club has (``column`` of its rows, narrowed by ``also``)."""
    if not wanted:
        return set()
    return set(
        await session.scalars(select(column).where(tenant_column == tenant_id, column.in_(wanted), *also))
    )


async def _check_references(session: AsyncSession, tenant_id: int, data: CampaignCreate) -> None:
    """Every object the campaign names belongs to this club: the segments, levels and branches of its
    conditions, and the stamp cards, coupon batches and rewards of its effects (a coupon batch must be one
    of unique codes, from which one code per member can be drawn). A foreign or missing one is a 422:
    another club's segment id (or a deleted one) is refused, never evaluated against this club's members."""
    conditions = [c for r in data.rules for c in r.conditions]
    effects = [e for r in data.rules for e in r.effects]
    segments = {i for c in conditions if isinstance(c, InSegment) for i in c.segments}
    known = await _in_club(
        session, Segment.id, Segment.tenant_id, tenant_id, segments, Segment.deleted_at.is_(None)
    )
    _refuse_missing(segments, known, "segments", "no segment {}", "بخش {} وجود ندارد", "بخش‌ها")
    levels = {code for c in conditions if isinstance(c, TierCondition) for code in c.levels}
    if levels:
        ladder = await tiers.ladder(session, tenant_id)
        known = {lv.code for lv in ladder.levels} if ladder else set()
        _refuse_missing(levels, known, "levels", "no tier level {}", "سطح {} وجود ندارد", "سطح‌ها")
    codes = {code for c in conditions if isinstance(c, BranchIn) for code in c.branches}
    known = await _in_club(session, Branch.code, Branch.tenant_id, tenant_id, codes)
    _refuse_missing(codes, known, "branches", "no branch {}", "شعبهٔ {} وجود ندارد", "شعبه‌ها")
    cards = {e.card_id for e in effects if isinstance(e, Stamps)}
    known = await _in_club(session, StampCard.id, StampCard.tenant_id, tenant_id, cards)
    _refuse_missing(cards, known, "card_id", "no stamp card {}", "کارت مهر {} وجود ندارد", "کارت مهر")
    batches = {e.batch_id for e in effects if isinstance(e, IssueCoupon)}
    known = await _in_club(
        session, CouponBatch.id, CouponBatch.tenant_id, tenant_id, batches, CouponBatch.kind == "unique"
    )
    _refuse_missing(
        batches,
        known,
        "batch_id",
        "no coupon batch of unique codes {}",
        "دستهٔ کد تخفیف یکتای {} وجود ندارد",
        "دستهٔ کد تخفیف",
    )
    rewards = {e.reward_id for e in effects if isinstance(e, IssueReward)}
    known = await _in_club(session, Reward.id, Reward.tenant_id, tenant_id, rewards)
    _refuse_missing(rewards, known, "reward_id", "no reward {}", "جایزهٔ {} وجود ندارد", "جایزه")


async def create(session: AsyncSession, who: Principal, data: CampaignCreate) -> CampaignRead:
    who.require(*WRITERS)
    await _check_references(session, who.tenant_id, data)
    campaign = Campaign(tenant_id=who.tenant_id, budget_used=0, **first_version(data, utcnow()))
    session.add(campaign)
    await session.flush()
    session.add(
        CampaignVersion(campaign_id=campaign.id, version=1, definition=campaign.definition, actor=who.actor)
    )
    await session.flush()
    _active.forget(session, who.tenant_id)
    return await _read(session, campaign)


async def _get(session: AsyncSession, tenant_id: int, campaign_id: int, lock: bool = False) -> Campaign:
    return await owned(session, Campaign, tenant_id, campaign_id, ("Campaign", "کمپین"), lock)


async def update_campaign(
    session: AsyncSession, who: Principal, campaign_id: int, data: CampaignCreate
) -> CampaignRead:
    """Replace the definition with a new version; past awards keep naming the version that made them."""
    who.require(*WRITERS)
    await _check_references(session, who.tenant_id, data)
    campaign = await _get(session, who.tenant_id, campaign_id, lock=True)
    had_budget = CampaignCreate.model_validate(campaign.definition).budget_points is not None
    definition = next_version(campaign, data, utcnow())
    if data.budget_points is not None and not had_budget:
        # Without a budget the counter was not kept (see models.campaign): start it from the awards.
        campaign.budget_used = await _points_awarded(session, campaign.id)
    session.add(
        CampaignVersion(
            campaign_id=campaign.id, version=campaign.version, definition=definition, actor=who.actor
        )
    )
    await session.flush()
    _active.forget(session, who.tenant_id)
    return await _read(session, campaign)


async def get(session: AsyncSession, who: Principal, campaign_id: int) -> CampaignRead:
    return await _read(session, await _get(session, who.tenant_id, campaign_id))


async def list_campaigns(session: AsyncSession, who: Principal) -> list[CampaignRead]:
    campaigns = await all_owned(session, Campaign, who.tenant_id)
    totals = dict(
        (
            await session.execute(
                select(CampaignAward.campaign_id, func.sum(CampaignAward.points))
                .where(CampaignAward.tenant_id == who.tenant_id)
                .group_by(CampaignAward.campaign_id)
            )
        ).all()
    )
    return [await _read(session, c, int(totals.get(c.id) or 0)) for c in campaigns]


async def versions(session: AsyncSession, who: Principal, campaign_id: int) -> list[CampaignVersionRead]:
    await _get(session, who.tenant_id, campaign_id)
    rows = await session.scalars(
        select(CampaignVersion)
        .where(CampaignVersion.campaign_id == campaign_id)
        .order_by(CampaignVersion.version)
    )
    return [
        read_of(CampaignVersionRead, v, definition=CampaignCreate.model_validate(v.definition))
        for v in rows.all()
    ]
