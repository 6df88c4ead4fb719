"""Campaigns: stored versions, the per-tenant cache of active ones, and awarding bonus points.

The purchase path asks :func:`active_for` (cached, so a club without campaigns pays one dictionary
look-up) and, when campaigns exist, :func:`apply_to_purchase`. Evaluation itself is pure
(``programme.engine``); the only queries are the facts some rule needs (member, visits, branch) and the
budget and limit counts of campaigns that actually want to award.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import NotFound
from bashgah.ledger import member_points, rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.members.schemas import MemberRef
from bashgah.models import (
    Campaign,
    CampaignAward,
    CampaignVersion,
    Member,
    MemberEvent,
    MemberTier,
    Purchase,
    utcnow,
)
from bashgah.programme import engine
from bashgah.programme.engine import ActiveCampaign, Allowance, CampaignOutcome, Facts, Line, MemberFacts
from bashgah.programme.schemas import (
    CampaignApplied,
    CampaignIn,
    CampaignRead,
    CampaignResult,
    CampaignVersionRead,
    ConditionResult,
    EventCreate,
    EventResult,
    ExamineResult,
    RuleResult,
)
from bashgah.segments import service as segments
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.wallet import service as wallet

WRITERS = ("owner", "manager")


@dataclass(frozen=True)
class Active:
    """A tenant's active campaigns as evaluated on every sale, and the facts their rules need."""

    campaigns: tuple[ActiveCampaign, ...]
    needs: engine.Needs
    #: Whether any rule fires on purchases (worked out once, not on every sale).
    purchase: bool


_active: TTLCache[tuple[str, int], Active] = TTLCache(ttl=5)
_branches: TTLCache[tuple[str, int, int], tuple[str, str]] = TTLCache(ttl=60)


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


# --- campaigns: create, edit (a new version each time), read -----------------------------------------


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


async def create(session: AsyncSession, who: Principal, data: CampaignIn) -> CampaignRead:
    who.require(*WRITERS)
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


# --- facts ------------------------------------------------------------------------------------------------


async def member_facts(
    session: AsyncSession, tenant_id: int, member_id: int, needs: engine.Needs, visits_to_add: int = 0
) -> MemberFacts:
    """What rules may ask about a member, read only when some active rule asks."""
    tags: tuple[str, ...] = ()
    birth, enrolled, visits, tier = None, None, None, None
    if needs.member:
        row = (
            await session.execute(
                select(Member.tags, Member.birth_date, Member.created_at).where(Member.id == member_id)
            )
        ).one()
        tags, birth, enrolled = tuple(row[0] or ()), row[1], row[2]
    if needs.visits:
        count = await session.scalar(select(func.count(Purchase.id)).where(Purchase.member_id == member_id))
        visits = int(count or 0) + visits_to_add
    if needs.tier:
        ladder = await tiers.ladder(session, tenant_id)
        if ladder is not None and ladder.enabled:
            level_id = await session.scalar(
                select(MemberTier.level_id).where(MemberTier.member_id == member_id)
            )
            tier = ladder.by_id(level_id).code
    within = frozenset(
        [
            sid
            for sid in sorted(needs.segments)
            if await segments.is_member(session, tenant_id, sid, member_id)
        ]
    )
    return MemberFacts(
        tags=tags, birth_date=birth, enrolled_at=enrolled, visits=visits, tier=tier, segments=within
    )


async def _branch(session: AsyncSession, tenant_id: int, branch_id: int) -> tuple[str, str]:
    key = (scope(session), tenant_id, branch_id)
    found = _branches.get(key)
    if found is None:
        branch = await tenants.get_branch(session, tenant_id, branch_id)
        found = (branch.code, branch.kind)
        _branches.set(key, found)
    return found


@dataclass(frozen=True)
class Sale:
    """The parts of a purchase that rules look at (``purchases.schemas.PurchaseCreate`` and its sums)."""

    branch_id: int
    total_rials: int
    paid_rials: int
    base_points: int
    lines: tuple[Line, ...]
    payment_method: str | None
    at: datetime
    #: The member's tier earn multiplier, already in ``base_points``; applied to item points too.
    earn_multiplier_pct: int = 100


async def purchase_facts(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    sale: Sale,
    program: tenants.ProgramSettings,
    needs: engine.Needs,
    visits_to_add: int,
) -> Facts:
    branch, channel = None, None
    if needs.branch:
        branch, channel = await _branch(session, tenant_id, sale.branch_id)
    return Facts(
        at=sale.at,
        member=await member_facts(session, tenant_id, member_id, needs, visits_to_add),
        total_rials=sale.total_rials,
        paid_rials=sale.paid_rials,
        base_points=sale.base_points,
        lines=sale.lines,
        payment_method=sale.payment_method,
        channel=channel,
        branch=branch,
        earning=engine.Earning(
            program.earn_points, program.earn_per_rials, program.rounding, sale.earn_multiplier_pct
        ),
    )


# --- budgets and limits -----------------------------------------------------------------------------------


async def allowances(
    session: AsyncSession, outcomes: list[CampaignOutcome], member_id: int, now: datetime, lock: bool
) -> dict[int, Allowance]:
    """What each campaign that wants to award may still give, reading (and with ``lock``, locking) only
    the budget rows and award counts of those campaigns.

    Budget rows are locked in campaign-id order, after the member's account lock the caller holds;
    per-member limits are safe under that member lock alone.
    """
    wanting = [o.campaign for o in outcomes if o.proposed > 0]
    budgeted = sorted(c.id for c in wanting if c.definition.budget_points is not None)
    used: dict[int, int] = {}
    if budgeted:
        query = (
            select(Campaign.id, Campaign.budget_used).where(Campaign.id.in_(budgeted)).order_by(Campaign.id)
        )
        used = {i: n for i, n in await session.execute(query.with_for_update() if lock else query)}
    result: dict[int, Allowance] = {}
    for c in wanting:
        best = Allowance(None)
        budget = c.definition.budget_points
        if budget is not None:
            best = Allowance(
                max(0, budget - used.get(c.id, 0)),
                f"the campaign's budget of {budget:,} points is spent",
                f"بودجهٔ {budget:,} امتیازی کمپین تمام شده است",
            )
        for limit in c.definition.limits:
            since = engine.period_start(now, limit.per)
            query2 = select(
                func.count(CampaignAward.id), func.coalesce(func.sum(CampaignAward.points), 0)
            ).where(CampaignAward.campaign_id == c.id, CampaignAward.member_id == member_id)
            if since is not None:
                query2 = query2.where(CampaignAward.created_at >= since)
            count, points = (await session.execute(query2)).one()
            room: int | None = None
            if limit.awards is not None and count >= limit.awards:
                room = 0
            if limit.points is not None:
                left = max(0, limit.points - int(points))
                room = left if room is None else min(room, left)
            if room is not None and (best.points is None or room < best.points):
                per_fa = {"day": "روز", "week": "هفته", "month": "ماه", "campaign": "کل کمپین"}[limit.per]
                best = Allowance(
                    room,
                    f"the member reached the campaign's limit per {limit.per}",
                    f"عضو به سقف کمپین در {per_fa} رسیده است",
                )
        result[c.id] = best
    return result


async def _award(
    j: ledger.Journal,
    account: ledger.AccountLike,
    member_id: int,
    outcomes: list[CampaignOutcome],
    program: tenants.ProgramSettings,
    now: datetime,
    source: tuple[str, int],
    pending_days: int,
) -> list[CampaignApplied]:
    if not any(o.proposed > 0 or o.proposed_cashback > 0 for o in outcomes):
        return []
    session = j.session
    engine.settle(outcomes, await allowances(session, outcomes, member_id, now, lock=True))
    applied = []
    kind, source_id = source
    purse: wallet.Wallet | None = None
    for o in outcomes:
        if o.awarded <= 0 and o.cashback <= 0:
            continue
        c = o.campaign
        transfer_id = 0
        if o.awarded > 0:
            transfer_id = await ledger.credit_member(
                j,
                account,
                "issuance",
                o.awarded,
                "bonus",
                f"{kind}:{source_id}:bonus:{c.id}",
                program,
                now,
                ref=source,
                reason=c.definition.name_fa,
                pending_days=pending_days,
                purchase_id=source_id if kind == "purchase" else None,
            )
        if o.cashback > 0:
            # The member's points account is locked by the caller, so the wallet opens safely here.
            purse = purse or await wallet.open_wallet(session, j.tenant_id, member_id)
            assert purse is not None
            cashback_transfer = await wallet.credit(
                j,
                purse,
                "issuance",
                o.cashback,
                "cashback",
                f"{kind}:{source_id}:cashback:{c.id}",
                now,
                wallet.cashback_expiry(program, now),
                ref=source,
                reason=c.definition.name_fa,
                pending_days=pending_days,
                purchase_id=source_id if kind == "purchase" else None,
            )
            transfer_id = transfer_id or cashback_transfer
        session.add(
            CampaignAward(
                tenant_id=j.tenant_id,
                campaign_id=c.id,
                version=c.version,
                rules=o.firing_rules,
                member_id=member_id,
                purchase_id=source_id if kind == "purchase" else None,
                event_id=source_id if kind == "event" else None,
                points=o.awarded,
                cashback_rials=o.cashback,
                transfer_id=transfer_id,
                created_at=now,
            )
        )
        if c.definition.budget_points is not None and o.awarded > 0:
            await session.execute(
                update(Campaign)
                .where(Campaign.id == c.id)
                .values(budget_used=Campaign.budget_used + o.awarded)
                .execution_options(synchronize_session=False)
            )
        applied.append(
            CampaignApplied(
                id=c.id,
                version=c.version,
                name=c.definition.name_fa,
                points=o.awarded,
                rules=o.firing_rules,
                cashback_rials=o.cashback,
            )
        )
    await session.flush()
    return applied


async def apply_to_purchase(
    j: ledger.Journal,
    account: ledger.AccountLike,
    active: Active,
    member_id: int,
    purchase_id: int,
    sale: Sale,
    program: tenants.ProgramSettings,
    now: datetime,
) -> list[CampaignApplied]:
    """Award the bonus points of the campaigns a just-recorded purchase qualifies for."""
    facts = await purchase_facts(j.session, j.tenant_id, member_id, sale, program, active.needs, 0)
    outcomes = engine.evaluate(active.campaigns, facts, explain=False)
    return await _award(
        j, account, member_id, outcomes, program, now, ("purchase", purchase_id), program.pending_days
    )


async def bonus_of(session: AsyncSession, purchase_id: int) -> int:
    """The bonus points campaigns gave for a purchase (a refund takes them back in proportion)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(CampaignAward.points), 0)).where(
            CampaignAward.purchase_id == purchase_id
        )
    )
    return int(total or 0)


async def cashback_of(session: AsyncSession, purchase_id: int) -> int:
    """The wallet cashback campaigns credited for a purchase (a refund takes it back in proportion)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(CampaignAward.cashback_rials), 0)).where(
            CampaignAward.purchase_id == purchase_id
        )
    )
    return int(total or 0)


async def applied_to(session: AsyncSession, purchase_id: int) -> list[CampaignApplied]:
    """The campaigns that gave a purchase bonus points, named as they were at the time."""
    rows = await session.execute(
        select(CampaignAward, CampaignVersion.definition)
        .join(
            CampaignVersion,
            (CampaignVersion.campaign_id == CampaignAward.campaign_id)
            & (CampaignVersion.version == CampaignAward.version),
        )
        .where(CampaignAward.purchase_id == purchase_id)
        .order_by(CampaignAward.id)
    )
    return [
        CampaignApplied(
            id=a.campaign_id,
            version=a.version,
            name=definition["name_fa"],
            points=a.points,
            rules=a.rules,
            cashback_rials=a.cashback_rials,
        )
        for a, definition in rows
    ]


# --- examine --------------------------------------------------------------------------------------------


async def find_member(session: AsyncSession, tenant_id: int, ref: MemberRef) -> Member:
    if ref.id is not None:
        return await members.get(session, tenant_id, ref.id)
    if ref.phone is not None:
        return await members.get_by_mobile(session, tenant_id, ref.phone)
    return await members.get_by_card(session, tenant_id, ref.card or "")


def explain(outcomes: list[CampaignOutcome], lang: str) -> list[CampaignResult]:
    results = []
    for o in outcomes:
        why = None
        if not o.schedule.passed:
            why = o.schedule.why(lang)
        elif o.why_not is not None:
            why = o.why_not.why(lang)
        results.append(
            CampaignResult(
                id=o.campaign.id,
                version=o.campaign.version,
                name=o.campaign.definition.name(lang),
                fires=o.awarded > 0 or o.cashback > 0,
                points=o.awarded,
                cashback_rials=o.cashback,
                why=why,
                rules=[
                    RuleResult(
                        key=r.rule.key,
                        fires=r.fires and o.schedule.passed,
                        points=r.points if o.schedule.passed else 0,
                        cashback_rials=r.cashback if o.schedule.passed else 0,
                        conditions=[
                            ConditionResult(type=c.type, passed=c.passed, why=c.why(lang)) for c in r.checks
                        ],
                    )
                    for r in o.rules
                ],
            )
        )
    return results


async def examine(
    session: AsyncSession, who: Principal, member: Member, sale: Sale, lang: str
) -> ExamineResult:
    """What a purchase would earn and why, campaign by campaign; writes nothing."""
    program = await tenants.program_settings(session, who.tenant_id)
    active = await active_for(session, who.tenant_id)
    outcomes: list[CampaignOutcome] = []
    if active.campaigns:
        facts = await purchase_facts(session, who.tenant_id, member.id, sale, program, active.needs, 1)
        outcomes = engine.evaluate(active.campaigns, facts)
        engine.settle(outcomes, await allowances(session, outcomes, member.id, utcnow(), lock=False))
    bonus = sum(o.awarded for o in outcomes)
    return ExamineResult(
        member_id=member.id,
        paid_rials=sale.paid_rials,
        points_base=sale.base_points,
        points_bonus=bonus,
        points_total=sale.base_points + bonus,
        cashback_rials=sum(o.cashback for o in outcomes),
        campaigns=explain(outcomes, lang),
    )


# --- events ---------------------------------------------------------------------------------------------


async def record_event(session: AsyncSession, who: Principal, data: EventCreate) -> EventResult:
    """A member did something worth points (sign-up, survey, review…): run the event rules."""
    now = utcnow()
    program = await tenants.program_settings(session, who.tenant_id)
    member, account = await members.lock(
        session, who.tenant_id, data.member.id, data.member.phone, data.member.card
    )
    members.ensure_active(member)
    occurred_at = data.occurred_at or now
    event = MemberEvent(
        tenant_id=who.tenant_id,
        member_id=member.id,
        name=data.name,
        properties=data.properties,
        occurred_at=occurred_at,
        created_at=now,
    )
    session.add(event)
    await session.flush()
    active = await active_for(session, who.tenant_id)
    applied: list[CampaignApplied] = []
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        if active.campaigns:
            facts = Facts(
                at=occurred_at,
                member=await member_facts(session, who.tenant_id, member.id, active.needs),
                trigger="event",
                event=data.name,
            )
            outcomes = engine.evaluate(active.campaigns, facts, explain=False)
            # Nothing to return after an event, so its points are available at once.
            applied = await _award(j, account, member.id, outcomes, program, now, ("event", event.id), 0)
        balance = await member_points.points_balance(session, account, now, j)
    return EventResult(
        id=event.id,
        member_id=member.id,
        name=data.name,
        occurred_at=occurred_at,
        points_bonus=sum(a.points for a in applied),
        campaigns=applied,
        balance=balance,
    )


def refund_bonus_due(bonus: int, refunded_before: int, refunded_after: int, total: int) -> int:
    """Bonus points a refund takes back: the cumulative share, less what earlier refunds took."""
    return rules.proportional_due(
        bonus, refunded_after, total, rules.proportional_due(bonus, refunded_before, total, 0)
    )
