"""Campaigns: create, edit (a new version each time), read, and the per-tenant cache of active ones.

The purchase path asks :func:`active_for` (cached, so a club without campaigns pays one dictionary
look-up). Every object a campaign names is checked to belong to the club when it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import InvalidInput, NotFound
from bashgah.models import (
    Branch,
    Campaign,
    CampaignAward,
    CampaignVersion,
    CouponBatch,
    Reward,
    Segment,
    utcnow,
)
from bashgah.programme import engine
from bashgah.programme.engine import ActiveCampaign
from bashgah.programme.schemas import (
    BranchIn,
    CampaignIn,
    CampaignRead,
    CampaignVersionRead,
    InSegment,
    IssueCoupon,
    IssueReward,
    Stamps,
)
from bashgah.programme.schemas import Tier as TierCondition
from bashgah.stamps import cards as stamp_cards
from bashgah.tiers import service as tiers

WRITERS = ("owner", "manager")


@dataclass(frozen=True)
class Active:
    """A tenant's active campaigns as evaluated on every sale, and the facts their rules need."""

    campaigns: tuple[ActiveCampaign, ...]
    needs: engine.Needs
    #: Whether any rule fires on purchases (worked out once, not on every sale).
    purchase: bool


_active: TTLCache[tuple[str, int], Active] = TTLCache(ttl=5)


async def active_for(session: AsyncSession, tenant_id: int) -> Active:
    """The tenant's active campaigns, cached like the programme settings (see core.cache)."""
    key = (scope(session), tenant_id)
    found = _active.get(key)
    if found is None:
        rows = await session.execute(
            select(Campaign.id, Campaign.version, Campaign.definition).where(
                Campaign.tenant_id == tenant_id, Campaign.active.is_(True)
            )
        )
        campaigns = tuple(ActiveCampaign(i, v, CampaignIn.model_validate(d)) for i, v, d in rows)
        on_purchase = any(r.trigger == "purchase" for c in campaigns for r in c.definition.rules)
        found = Active(campaigns, engine.needs_of(campaigns), on_purchase)
        _active.set(key, found)
    return found


def _forget(session: AsyncSession, tenant_id: int) -> None:
    _active.invalidate((scope(session), tenant_id))


async def _points_awarded(session: AsyncSession, campaign_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(CampaignAward.points), 0)).where(
            CampaignAward.campaign_id == campaign_id
        )
    )
    return int(total or 0)


async def _read(session: AsyncSession, c: Campaign, awarded: int | None = None) -> CampaignRead:
    return CampaignRead(
        id=c.id,
        version=c.version,
        points_awarded=await _points_awarded(session, c.id) if awarded is None else awarded,
        created_at=c.created_at,
        updated_at=c.updated_at,
        definition=CampaignIn.model_validate(c.definition),
    )


async def _check_conditions(session: AsyncSession, tenant_id: int, data: CampaignIn) -> None:
    """The segments, tier levels and branches the conditions name exist in this club: another club's
    segment id (or a deleted one) is refused, never evaluated against this club's members."""
    conditions = [c for r in data.rules for c in r.conditions]
    wanted = {i for c in conditions if isinstance(c, InSegment) for i in c.segments}
    if wanted:
        found = set(
            await session.scalars(
                select(Segment.id).where(
                    Segment.tenant_id == tenant_id, Segment.id.in_(wanted), Segment.deleted_at.is_(None)
                )
            )
        )
        if missing := sorted(wanted - found):
            listed = ", ".join(str(i) for i in missing)
            raise InvalidInput("segments", f"no segment {listed}", f"بخش {listed} وجود ندارد", "بخش‌ها")
    levels = {code for c in conditions if isinstance(c, TierCondition) for code in c.levels}
    if levels:
        ladder = await tiers.ladder(session, tenant_id)
        if missing_levels := sorted(levels - ({lv.code for lv in ladder.levels} if ladder else set())):
            listed = ", ".join(missing_levels)
            raise InvalidInput("levels", f"no tier level {listed}", f"سطح {listed} وجود ندارد", "سطح‌ها")
    codes = {code for c in conditions if isinstance(c, BranchIn) for code in c.branches}
    if codes:
        known = set(
            await session.scalars(
                select(Branch.code).where(Branch.tenant_id == tenant_id, Branch.code.in_(codes))
            )
        )
        if missing_codes := sorted(codes - known):
            listed = ", ".join(missing_codes)
            raise InvalidInput("branches", f"no branch {listed}", f"شعبهٔ {listed} وجود ندارد", "شعبه‌ها")


async def _check_references(session: AsyncSession, tenant_id: int, data: CampaignIn) -> None:
    """Every object the campaign names belongs to this club: the segments, levels and branches of its
    conditions, and the stamp cards, coupon batches and rewards of its effects (a coupon batch must be one
    of unique codes, from which one code per member can be drawn). A foreign or missing one is a 422."""
    await _check_conditions(session, tenant_id, data)
    effects = [e for r in data.rules for e in r.effects]
    named = {e.card_id for e in effects if isinstance(e, Stamps)}
    unknown = sorted(named - await stamp_cards.known_ids(session, tenant_id, named))
    if unknown:
        listed = ", ".join(str(i) for i in unknown)
        raise InvalidInput("card_id", f"no stamp card {listed}", f"کارت مهر {listed} وجود ندارد", "کارت مهر")
    batches = {e.batch_id for e in effects if isinstance(e, IssueCoupon)}
    if batches:
        found = set(
            await session.scalars(
                select(CouponBatch.id).where(
                    CouponBatch.tenant_id == tenant_id,
                    CouponBatch.id.in_(batches),
                    CouponBatch.kind == "unique",
                )
            )
        )
        if missing := sorted(batches - found):
            listed = ", ".join(str(i) for i in missing)
            raise InvalidInput(
                "batch_id",
                f"no coupon batch of unique codes {listed}",
                f"دستهٔ کد تخفیف یکتای {listed} وجود ندارد",
                "دستهٔ کد تخفیف",
            )
    wanted = {e.reward_id for e in effects if isinstance(e, IssueReward)}
    if wanted:
        found = set(
            await session.scalars(
                select(Reward.id).where(Reward.tenant_id == tenant_id, Reward.id.in_(wanted))
            )
        )
        if missing := sorted(wanted - found):
            listed = ", ".join(str(i) for i in missing)
            raise InvalidInput("reward_id", f"no reward {listed}", f"جایزهٔ {listed} وجود ندارد", "جایزه")


async def create(session: AsyncSession, who: Principal, data: CampaignIn) -> CampaignRead:
    who.require(*WRITERS)
    await _check_references(session, who.tenant_id, data)
    now = utcnow()
    definition = data.model_dump(mode="json")
    campaign = Campaign(
        tenant_id=who.tenant_id,
        version=1,
        active=data.active,
        definition=definition,
        budget_used=0,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    await session.flush()
    session.add(CampaignVersion(campaign_id=campaign.id, version=1, definition=definition, actor=who.actor))
    await session.flush()
    _forget(session, who.tenant_id)
    return await _read(session, campaign)


async def _get(session: AsyncSession, tenant_id: int, campaign_id: int, lock: bool = False) -> Campaign:
    query = select(Campaign).where(Campaign.tenant_id == tenant_id, Campaign.id == campaign_id)
    campaign = await session.scalar(query.with_for_update() if lock else query)
    if campaign is None:
        raise NotFound("Campaign", "کمپین")
    return campaign


async def update_campaign(
    session: AsyncSession, who: Principal, campaign_id: int, data: CampaignIn
) -> CampaignRead:
    """Replace the definition with a new version; past awards keep naming the version that made them."""
    who.require(*WRITERS)
    await _check_references(session, who.tenant_id, data)
    campaign = await _get(session, who.tenant_id, campaign_id, lock=True)
    had_budget = CampaignIn.model_validate(campaign.definition).budget_points is not None
    definition = data.model_dump(mode="json")
    campaign.version += 1
    campaign.definition = definition
    campaign.active = data.active
    campaign.updated_at = utcnow()
    if data.budget_points is not None and not had_budget:
        # Without a budget the counter was not kept (see models.campaign): start it from the awards.
        campaign.budget_used = await _points_awarded(session, campaign.id)
    session.add(
        CampaignVersion(
            campaign_id=campaign.id, version=campaign.version, definition=definition, actor=who.actor
        )
    )
    await session.flush()
    _forget(session, who.tenant_id)
    return await _read(session, campaign)


async def get(session: AsyncSession, who: Principal, campaign_id: int) -> CampaignRead:
    return await _read(session, await _get(session, who.tenant_id, campaign_id))


async def list_campaigns(session: AsyncSession, who: Principal) -> list[CampaignRead]:
    found = await session.scalars(
        select(Campaign).where(Campaign.tenant_id == who.tenant_id).order_by(Campaign.id)
    )
    campaigns = found.all()
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
        CampaignVersionRead(
            campaign_id=v.campaign_id,
            version=v.version,
            created_at=v.created_at,
            actor=v.actor,
            definition=CampaignIn.model_validate(v.definition),
        )
        for v in rows.all()
    ]
