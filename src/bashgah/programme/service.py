"""Campaigns: stored versions, the per-tenant cache of active ones, and awarding bonus points.

The purchase path asks :func:`active_for` (cached, so a club without campaigns pays one dictionary
look-up) and, when campaigns exist, :func:`apply_to_purchase`. Evaluation itself is pure
(``programme.engine``); the only queries are the facts some rule needs (member, visits, branch) and the
budget and limit counts of campaigns that actually want to award.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import InvalidInput, NotFound, Points, plain
from bashgah.coupons import service as coupons
from bashgah.ledger import member_points, rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.members.schemas import MemberRef
from bashgah.models import (
    Branch,
    Campaign,
    CampaignAward,
    CampaignVersion,
    CouponBatch,
    Member,
    MemberEvent,
    MemberTier,
    Purchase,
    Reward,
    Segment,
    utcnow,
)
from bashgah.programme import engine
from bashgah.programme.engine import ActiveCampaign, Allowance, CampaignOutcome, Facts, Line, MemberFacts
from bashgah.programme.schemas import (
    BranchIn,
    CampaignApplied,
    CampaignCreate,
    CampaignRead,
    CampaignResult,
    CampaignVersionRead,
    ConditionResult,
    EventCreate,
    EventResult,
    ExamineResult,
    GiftGiven,
    InSegment,
    IssueCoupon,
    IssueReward,
    RuleResult,
    Stamps,
)
from bashgah.programme.schemas import Tier as TierCondition
from bashgah.rewards import service as rewards
from bashgah.segments import service as segments
from bashgah.stamps import service as stamps
from bashgah.stamps.results import StampsEarned
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
        campaigns = tuple(ActiveCampaign(i, v, CampaignCreate.model_validate(d)) for i, v, d in rows)
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
        definition=CampaignCreate.model_validate(c.definition),
    )


async def _check_conditions(session: AsyncSession, tenant_id: int, data: CampaignCreate) -> None:
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


async def _check_references(session: AsyncSession, tenant_id: int, data: CampaignCreate) -> None:
    """Every object the campaign names belongs to this club: the segments, levels and branches of its
    conditions, and the stamp cards, coupon batches and rewards of its effects (a coupon batch must be one
    of unique codes, from which one code per member can be drawn). A foreign or missing one is a 422."""
    await _check_conditions(session, tenant_id, data)
    effects = [e for r in data.rules for e in r.effects]
    named = {e.card_id for e in effects if isinstance(e, Stamps)}
    unknown = sorted(named - await stamps.known_ids(session, tenant_id, named))
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


async def hand_out(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    outcomes: list[CampaignOutcome],
    now: datetime,
    lang: str,
) -> list[GiftGiven]:
    """Give the member the coupons and rewards the firing campaigns hand out, in the sale's or
    event's transaction. A reward the catalogue no longer offers (closed, out of stock) is not given."""
    given: list[GiftGiven] = []
    for campaign_id, gift in engine.gifts_granted(outcomes):
        if isinstance(gift, IssueCoupon):
            drawn = await coupons.give_code(session, tenant_id, gift.batch_id, member_id)
            if drawn is not None:
                code, batch = drawn
                given.append(GiftGiven(campaign_id=campaign_id, kind="coupon", code=code, name=batch.name))
        else:
            instance = await rewards.gift(session, tenant_id, gift.reward_id, member_id, now)
            if instance is not None:
                reward = await rewards.get(session, tenant_id, gift.reward_id, lang)
                given.append(
                    GiftGiven(campaign_id=campaign_id, kind="reward", code=instance.code, name=reward.name)
                )
    return given


async def create(session: AsyncSession, who: Principal, data: CampaignCreate) -> CampaignRead:
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
    session: AsyncSession, who: Principal, campaign_id: int, data: CampaignCreate
) -> CampaignRead:
    """Replace the definition with a new version; past awards keep naming the version that made them."""
    who.require(*WRITERS)
    await _check_references(session, who.tenant_id, data)
    campaign = await _get(session, who.tenant_id, campaign_id, lock=True)
    had_budget = CampaignCreate.model_validate(campaign.definition).budget_points is not None
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
            definition=CampaignCreate.model_validate(v.definition),
        )
        for v in rows.all()
    ]


# --- facts ------------------------------------------------------------------------------------------------


async def member_facts(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    needs: engine.Needs,
    visits_to_add: int = 0,
    known: members.MemberStatus | None = None,
    visits_before: int | None = None,
) -> MemberFacts:
    """What rules may ask about a member, read only when some active rule asks (and not read again
    when the sale's lock query already brought it: ``known``)."""
    tags: tuple[str, ...] = ()
    birth, enrolled, visits, tier = None, None, None, None
    tier_names: tuple[tuple[str, str, str], ...] = ()
    if needs.member and known is not None:
        tags, birth, enrolled = known.tags, known.birth_date, known.enrolled_at
    elif needs.member:
        row = (
            await session.execute(
                select(Member.tags, Member.birth_date, Member.created_at).where(Member.id == member_id)
            )
        ).one()
        tags, birth, enrolled = tuple(row[0] or ()), row[1], row[2]
    if needs.visits and visits_before is not None:  # counted by the sale's lock, before its insert
        visits = visits_before + 1
    elif needs.visits:
        count = await session.scalar(select(func.count(Purchase.id)).where(Purchase.member_id == member_id))
        visits = int(count or 0) + visits_to_add
    if needs.tier:
        ladder = await tiers.ladder(session, tenant_id)
        if ladder is not None and ladder.enabled:
            if known is not None:
                level_id = known.level_id
            else:
                level_id = await session.scalar(
                    select(MemberTier.level_id).where(MemberTier.member_id == member_id)
                )
            tier = ladder.by_id(level_id).code
            tier_names = tuple((lv.code, lv.name_en, lv.name_fa) for lv in ladder.levels)
    within = frozenset(
        [
            sid
            for sid in sorted(needs.segments)
            if await segments.is_member(session, tenant_id, sid, member_id)
        ]
    )
    return MemberFacts(
        tags=tags,
        birth_date=birth,
        enrolled_at=enrolled,
        visits=visits,
        tier=tier,
        tier_names=tier_names,
        segments=within,
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
    known: members.MemberStatus | None = None,
    visits_before: int | None = None,
) -> Facts:
    branch, channel = None, None
    if needs.branch:
        branch, channel = await _branch(session, tenant_id, sale.branch_id)
    return Facts(
        at=sale.at,
        member=await member_facts(session, tenant_id, member_id, needs, visits_to_add, known, visits_before),
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


#: Campaign versions whose points budget is known to be spent. ``budget_used`` only grows within a
#: version (returns do not give budget back; raising the budget is an edit, i.e. a new version), so a
#: spent version stays spent: later sales skip its row lock instead of queueing on it.
_spent: TTLCache[tuple[str, int, int], bool] = TTLCache(ttl=3600)


def _within_budget(left: int, budget: int) -> Allowance:
    return Allowance(
        left,
        f"the campaign's budget of {budget:,} points is spent",
        f"بودجهٔ {plain('fa')(Points(budget))} امتیازی کمپین تمام شده است",
    )


async def allowances(
    session: AsyncSession,
    outcomes: list[CampaignOutcome],
    member_id: int,
    now: datetime,
    lock: bool,
    budgets: bool = True,
) -> dict[int, Allowance]:
    """What each campaign that wants to award may still give, reading (and with ``lock``, locking) only
    the budget rows and award counts of those campaigns.

    Budget rows are locked in campaign-id order, after the member's account lock the caller holds;
    per-member limits are safe under that member lock alone. A budget already seen spent is not read;
    without ``budgets`` the others are not read either (the caller claims them with :func:`_claim`).
    """
    wanting = [o.campaign for o in outcomes if o.proposed > 0]
    where = scope(session)
    spent = {c.id for c in wanting if _spent.get((where, c.id, c.version))}
    budgeted = []
    if budgets:
        budgeted = sorted(
            c.id for c in wanting if c.definition.budget_points is not None and c.id not in spent
        )
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
        if budget is not None and (budgets or c.id in spent):
            left = 0 if c.id in spent else max(0, budget - used.get(c.id, 0))
            if left == 0:
                _spent.set((where, c.id, c.version), True)
            best = _within_budget(left, budget)
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
                left_points = max(0, limit.points - int(points))
                room = left_points if room is None else min(room, left_points)
            if room is not None and (best.points is None or room < best.points):
                per_fa = {"day": "روز", "week": "هفته", "month": "ماه", "campaign": "کل کمپین"}[limit.per]
                best = Allowance(
                    room,
                    f"the member reached the campaign's limit per {limit.per}",
                    f"عضو به سقف کمپین در {per_fa} رسیده است",
                )
        result[c.id] = best
    return result


_awards = cast(Table, CampaignAward.__table__)
_INSERT_AWARDS = insert(_awards)
_campaigns = cast(Table, Campaign.__table__)
_CLAIM_BUDGET = (
    update(_campaigns)
    .where(_campaigns.c.id == bindparam("campaign_id"))
    .values(budget_used=_campaigns.c.budget_used + bindparam("points"))
)
_CLAIM_IF_LEFT = _CLAIM_BUDGET.where(
    _campaigns.c.budget_used + bindparam("points") <= bindparam("budget")
).returning(_campaigns.c.id)


async def _claim(session: AsyncSession, awarding: list[CampaignOutcome]) -> bool:
    """Take each budgeted award out of its campaign's budget if the budget still holds it, in one
    conditional ``UPDATE`` per campaign (in id order, like :func:`allowances`' locks). When one does not
    fit, the claims made are undone (their rows stay locked) and the answer is False."""
    connection = await session.connection()
    made: list[dict[str, int]] = []
    for o in sorted(awarding, key=lambda o: o.campaign.id):
        budget = o.campaign.definition.budget_points
        if budget is None or o.awarded <= 0:
            continue
        claim = {"campaign_id": o.campaign.id, "points": o.awarded}
        if (await connection.execute(_CLAIM_IF_LEFT, {**claim, "budget": budget})).first() is None:
            if made:
                await connection.execute(_CLAIM_BUDGET, [{**c, "points": -c["points"]} for c in made])
            return False
        made.append(claim)
    return True


async def _award(
    j: ledger.Journal,
    account: ledger.AccountLike,
    member_id: int,
    outcomes: list[CampaignOutcome],
    program: tenants.ProgramSettings,
    now: datetime,
    source: tuple[str, int],
    pending_days: int,
    earn: ledger.Credit | None = None,
    earned_at: datetime | None = None,
) -> list[CampaignApplied]:
    """Give what the campaigns settled on as ONE bonus transfer and lot (the sum of points) and ONE
    wallet cashback credit (the sum of rials), with one award row per campaign naming its version, rules
    and shares, and claim the budgets — a handful of statements however many campaigns fire.

    ``earn`` is the sale's own earn credit: posted in the same round trip as the bonus, into the same lot.
    The points and the cashback are dated from ``earned_at`` (the sale's own time), or ``now``.
    """
    session = j.session
    awarding: list[CampaignOutcome] = []
    claimed = True
    if any(o.proposed > 0 or o.proposed_cashback > 0 for o in outcomes):
        # Optimistically: budgets are claimed by conditional updates after settling, so a sale does
        # not read-and-lock a budget row it will only add to. Near the end of a budget, where a claim
        # does not fit, settle again on the locked rows and give what is left.
        allowed = await allowances(session, outcomes, member_id, now, lock=False, budgets=False)
        engine.settle(outcomes, allowed)
        awarding = [o for o in outcomes if o.awarded > 0 or o.cashback > 0]
        claimed = await _claim(session, awarding)
        if not claimed:
            engine.settle(outcomes, await allowances(session, outcomes, member_id, now, lock=True))
            awarding = [o for o in outcomes if o.awarded > 0 or o.cashback > 0]
    kind, source_id = source
    purchase_id = source_id if kind == "purchase" else None
    points = sum(o.awarded for o in awarding)
    cashback = sum(o.cashback for o in awarding)
    credits = [earn] if earn is not None else []
    if points:
        names = "، ".join(o.campaign.definition.name_fa for o in awarding if o.awarded > 0)
        credits.append(ledger.Credit("issuance", points, "bonus", f"{kind}:{source_id}:bonus", names))
    posted = []
    if credits:
        posted = await ledger.credit_member_together(
            j, account, credits, program, now, source, pending_days, purchase_id, earned_at
        )
    if not awarding:
        return []
    points_transfer = posted[-1] if points else 0
    cashback_transfer = 0
    if cashback:
        # The member's points account is locked by the caller, so the wallet opens safely here.
        purse = await wallet.open_wallet(session, j.tenant_id, member_id)
        assert purse is not None
        cashback_transfer = await wallet.credit(
            j,
            purse,
            "issuance",
            cashback,
            "cashback",
            f"{kind}:{source_id}:cashback",
            earned_at or now,
            wallet.cashback_expiry(program, earned_at or now),
            ref=source,
            reason="، ".join(o.campaign.definition.name_fa for o in awarding if o.cashback > 0),
            pending_days=pending_days,
            purchase_id=purchase_id,
        )
    connection = await session.connection()
    await connection.execute(
        _INSERT_AWARDS,
        [
            {
                "tenant_id": j.tenant_id,
                "campaign_id": o.campaign.id,
                "version": o.campaign.version,
                "rules": o.firing_rules,
                "member_id": member_id,
                "purchase_id": purchase_id,
                "event_id": source_id if kind == "event" else None,
                "points": o.awarded,
                "cashback_rials": o.cashback,
                "transfer_id": points_transfer if o.awarded > 0 else cashback_transfer,
                "created_at": now,
            }
            for o in awarding
        ],
    )
    claims = [
        {"campaign_id": o.campaign.id, "points": o.awarded}
        for o in awarding
        if o.campaign.definition.budget_points is not None and o.awarded > 0
    ]
    if claims and not claimed:  # settled on the locked rows: the amounts fit
        await connection.execute(_CLAIM_BUDGET, claims)
    return [
        CampaignApplied(
            id=o.campaign.id,
            version=o.campaign.version,
            name=o.campaign.definition.name_fa,
            points=o.awarded,
            rules=o.firing_rules,
            cashback_rials=o.cashback,
        )
        for o in awarding
    ]


async def apply_to_purchase(
    j: ledger.Journal,
    account: ledger.AccountLike,
    active: Active,
    member: members.MemberStatus,
    purchase_id: int,
    sale: Sale,
    program: tenants.ProgramSettings,
    now: datetime,
    visits_before: int | None = None,
    lang: str = "fa",
    earn: ledger.Credit | None = None,
) -> tuple[list[CampaignApplied], list[engine.StampGrant], list[GiftGiven]]:
    """Award the bonus points of the campaigns a just-recorded purchase qualifies for and hand out
    their coupons and rewards; the stamps they give are returned for ``stamps.service`` to put on the
    member's cards.

    ``member`` is the sale's locked member row and ``visits_before`` their purchase count read with it,
    so the facts rules ask about need no queries of their own; ``earn`` is the sale's own earn, posted
    together with the bonus."""
    facts = await purchase_facts(
        j.session, j.tenant_id, member.id, sale, program, active.needs, 0, member, visits_before
    )
    outcomes = engine.evaluate(active.campaigns, facts, explain=False)
    source = ("purchase", purchase_id)
    applied = await _award(
        j, account, member.id, outcomes, program, now, source, program.pending_days, earn, sale.at
    )
    gifts = await hand_out(j.session, j.tenant_id, member.id, outcomes, now, lang)
    return applied, engine.stamps_granted(outcomes), gifts


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


async def applied_to(session: AsyncSession, purchase_id: int, lang: str = "fa") -> list[CampaignApplied]:
    """The campaigns that gave a purchase bonus points, named as they were at the time (in ``lang`` when the
    campaign has a name in it)."""
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
            name=definition["name_fa"]
            if lang == "fa"
            else definition.get("name_en") or definition["name_fa"],
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
        # Limits per day/week/month count in the period of the examined moment, not today's.
        engine.settle(outcomes, await allowances(session, outcomes, member.id, sale.at, lock=False))
    bonus = sum(o.awarded for o in outcomes)
    return ExamineResult(
        member_id=member.id,
        at=sale.at,
        paid_rials=sale.paid_rials,
        points_base=sale.base_points,
        points_bonus=bonus,
        points_total=sale.base_points + bonus,
        cashback_rials=sum(o.cashback for o in outcomes),
        campaigns=explain(outcomes, lang),
    )


# --- events ---------------------------------------------------------------------------------------------


async def record_event(
    session: AsyncSession, who: Principal, data: EventCreate, lang: str = "fa"
) -> EventResult:
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
    given: list[StampsEarned] = []
    gifts: list[GiftGiven] = []
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        if active.campaigns:
            facts = Facts(
                at=occurred_at,
                member=await member_facts(session, who.tenant_id, member.id, active.needs, known=member),
                trigger="event",
                event=data.name,
            )
            outcomes = engine.evaluate(active.campaigns, facts, explain=False)
            # Nothing to return after an event, so its points are available at once.
            applied = await _award(j, account, member.id, outcomes, program, now, ("event", event.id), 0)
            given = await stamps.give_for_event(
                j, account, program, member.id, event.id, engine.stamps_granted(outcomes), now, lang
            )
            gifts = await hand_out(session, who.tenant_id, member.id, outcomes, now, lang)
        balance = await member_points.points_balance(session, account, now, j)
    return EventResult(
        id=event.id,
        member_id=member.id,
        name=data.name,
        occurred_at=occurred_at,
        points_bonus=sum(a.points for a in applied),
        campaigns=applied,
        stamps=given,
        gifts=gifts,
        balance=balance,
    )


def refund_bonus_due(bonus: int, refunded_before: int, refunded_after: int, total: int) -> int:
    """Bonus points a refund takes back: the cumulative share, less what earlier refunds took."""
    return rules.proportional_due(
        bonus, refunded_after, total, rules.proportional_due(bonus, refunded_before, total, 0)
    )
