"""Which campaign rules fire, and for how many points: pure functions over facts, no I/O.

The service gathers the facts (the purchase or event, the member, the time) and the allowances of the
campaigns that want to award (budget left, per-member limits left); everything else happens here, so
it is unit-tested without a database. Every check explains itself in English and Persian, which is
what ``POST /api/v1/purchases/examine`` shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from bashgah.ledger import rules as points_rules
from bashgah.programme.conditions import (
    Check,
    Facts,
    When,
    check,
    check_schedule,
    matches,
    matching_units,
    said,
)
from bashgah.programme.schemas import (
    CampaignCreate,
    Effect,
    FixedBonus,
    Gift,
    InSegment,
    IssueCoupon,
    IssueReward,
    ItemMatch,
    PointsMultiplier,
    PointsPerItem,
    Rule,
    Stamps,
    WalletCashback,
)


@dataclass(frozen=True)
class ActiveCampaign:
    """A campaign as cached for evaluation: its id, current version and parsed definition."""

    id: int
    version: int
    definition: CampaignCreate


@dataclass
class RuleOutcome:
    rule: Rule
    checks: list[Check]
    points: int
    cashback: int = 0

    @property
    def fires(self) -> bool:
        return all(c.passed for c in self.checks)


@dataclass
class CampaignOutcome:
    campaign: ActiveCampaign
    schedule: Check
    rules: list[RuleOutcome]
    #: Points actually awarded after budget, limits and stop flags (set by :func:`settle`).
    awarded: int = 0
    why_not: Check | None = None
    #: Rials of wallet cashback credited (set by :func:`settle`).
    cashback: int = 0

    @property
    def firing(self) -> list[RuleOutcome]:
        """The rules that fire, when the campaign runs at all (its schedule passed)."""
        if not self.schedule.passed:
            return []
        return [r for r in self.rules if r.fires]

    @property
    def proposed(self) -> int:
        return sum(r.points for r in self.firing)

    @property
    def stamp_effects(self) -> list[Stamps]:
        """The stamps the firing rules give (they cost no points, so budgets and limits do not cap
        them; a stopping campaign of higher priority does, see :func:`stamps_granted`)."""
        return [e for r in self.firing for e in r.rule.effects if isinstance(e, Stamps)]

    @property
    def gift_effects(self) -> list[Gift]:
        """The coupons and rewards the firing rules hand out (not points: budgets and limits do not cap
        them; a stopping campaign of higher priority does, see :func:`gifts_granted`)."""
        gifts = (IssueCoupon, IssueReward)
        return [e for r in self.firing for e in r.rule.effects if isinstance(e, gifts)]

    @property
    def gives_things(self) -> bool:
        """Whether firing rules give stamps or gifts (which count as firing even without points)."""
        return bool(self.stamp_effects or self.gift_effects)

    @property
    def proposed_cashback(self) -> int:
        return sum(r.cashback for r in self.firing)

    @property
    def firing_rules(self) -> list[str]:
        return [r.rule.key for r in self.firing if r.points > 0 or r.cashback > 0]


@dataclass(frozen=True)
class Allowance:
    """How many points a campaign may still give this member now (None: no cap), and why it is capped."""

    points: int | None
    en: str = ""
    fa: str = ""


@dataclass
class Needs:
    """Facts that cost a query, wanted only when some active rule tests them."""

    member: bool = False
    visits: bool = False
    tier: bool = False
    branch: bool = False
    segments: set[int] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)


# --- effects ------------------------------------------------------------------------------------------


def item_points(match: ItemMatch, facts: Facts) -> int:
    """Base points of the matching items, at their share of what the basket cost after discounts."""
    value = sum(line.quantity * line.unit_price_rials for line in facts.lines if matches(match, line))
    listed = sum(line.quantity * line.unit_price_rials for line in facts.lines)
    if listed > facts.paid_rials:
        value = value * facts.paid_rials // listed
    e = facts.earning
    return points_rules.points_for(value, e.points, e.per_rials, e.rounding) * e.multiplier_pct // 100


def effect_points(effect: Effect, facts: Facts) -> int:
    match effect:
        case PointsMultiplier(factor=factor, items=items):
            base = facts.base_points if items is None else item_points(items, facts)
            return int((Decimal(base) * (factor - 1)).to_integral_value(rounding=ROUND_FLOOR))
        case FixedBonus(points=points):
            return points
        case PointsPerItem(points=points, items=items):
            return points * matching_units(items, facts.lines)
        case Stamps():
            return 0  # stamps are not points: see CampaignOutcome.stamp_effects
        case IssueCoupon() | IssueReward():
            return 0  # see CampaignOutcome.gift_effects
        case WalletCashback():
            return 0  # rials, not points: see effect_cashback
    raise AssertionError(f"unknown effect {effect!r}")  # pragma: no cover - the union is closed


def effect_cashback(effect: Effect, facts: Facts) -> int:
    """Rials of wallet cashback: a percentage of what the sale earns points on, floored, capped."""
    if not isinstance(effect, WalletCashback):
        return 0
    amount = int((Decimal(facts.paid_rials) * effect.percent / 100).to_integral_value(rounding=ROUND_FLOOR))
    return amount if effect.max_rials is None else min(amount, effect.max_rials)


# --- evaluation ---------------------------------------------------------------------------------------


def needs_of(campaigns: Iterable[ActiveCampaign]) -> Needs:
    needs = Needs()
    for c in campaigns:
        for rule in c.definition.rules:
            for cond in rule.conditions:
                needs.kinds.add(cond.type)
                if isinstance(cond, InSegment):
                    needs.segments.update(cond.segments)
    needs.member = bool(needs.kinds & {"member_tags", "birthday_month", "days_since_enrolment"})
    needs.visits = bool(needs.kinds & {"first_purchase", "visits"})
    needs.tier = "tier" in needs.kinds
    needs.branch = bool(needs.kinds & {"channel", "branch"})
    return needs


def in_order(campaigns: Iterable[ActiveCampaign]) -> list[ActiveCampaign]:
    """Highest priority first; the older campaign first among equals."""
    return sorted(campaigns, key=lambda c: (-c.definition.priority, c.id))


def evaluate(
    campaigns: Sequence[ActiveCampaign], facts: Facts, explain: bool = True
) -> list[CampaignOutcome]:
    """Every campaign's rules for this trigger, each condition checked and each effect priced.

    With ``explain`` (examine) every condition is checked even when the campaign or the rule already
    failed; without it (a sale), a campaign outside its schedule and a rule's remaining conditions
    after a failed one are skipped.
    """
    outcomes = []
    when = When.of(facts.at)
    for campaign in in_order(campaigns):
        rules = [
            r
            for r in campaign.definition.rules
            if r.trigger == facts.trigger and (facts.trigger != "event" or r.event == facts.event)
        ]
        if not rules:
            continue
        schedule = check_schedule(campaign.definition.schedule, facts.at, when)
        results = []
        if schedule.passed or explain:
            for rule in rules:
                checks = []
                for condition in rule.conditions:
                    checks.append(check(condition, facts, when))
                    if not (explain or checks[-1].passed):
                        break
                fired = all(c.passed for c in checks)
                points = sum(effect_points(e, facts) for e in rule.effects) if fired else 0
                cashback = sum(effect_cashback(e, facts) for e in rule.effects) if fired else 0
                results.append(RuleOutcome(rule, checks, points, cashback))
        outcomes.append(CampaignOutcome(campaign, schedule, results))
    return outcomes


def settle(outcomes: Sequence[CampaignOutcome], allowances: Mapping[int, Allowance]) -> list[CampaignOutcome]:
    """Cap each campaign by what it may still give (budget, member limits) and apply stop flags.

    Budgets and limits count points; wallet cashback is capped by its effect's ``max_rials`` alone, but a
    stopping campaign stops the cashback of the campaigns below it too.
    """
    stopped_by: CampaignOutcome | None = None
    for outcome in outcomes:
        outcome.awarded, outcome.cashback, outcome.why_not = 0, 0, None
        wanted = outcome.proposed
        if wanted <= 0 and outcome.proposed_cashback <= 0:
            if stopped_by is None and outcome.gives_things and outcome.campaign.definition.stop:
                stopped_by = outcome  # a stopping campaign that gives only stamps or gifts stops too
            continue
        if stopped_by is not None:
            name = stopped_by.campaign.definition
            outcome.why_not = Check(
                "stop",
                False,
                said(
                    f"campaign {name.name('en')} of higher priority stops the rest",
                    f"کمپین «{name.name_fa}» با اولویت بالاتر بقیه را متوقف می‌کند",
                ),
            )
            continue
        allowance = allowances.get(outcome.campaign.id, Allowance(None))
        outcome.awarded = wanted if allowance.points is None else max(0, min(wanted, allowance.points))
        outcome.cashback = outcome.proposed_cashback
        if outcome.awarded < wanted:
            outcome.why_not = Check("limit", False, said(allowance.en, allowance.fa))
        if (outcome.awarded > 0 or outcome.cashback > 0) and outcome.campaign.definition.stop:
            stopped_by = outcome
    return list(outcomes)


@dataclass(frozen=True)
class StampGrant:
    """Stamps a campaign gives on a stamp card (``per_stamp_earned``: per stamp the sale earned)."""

    campaign_id: int
    card_id: int
    stamps: int
    per_stamp_earned: bool


def stamps_granted(outcomes: Sequence[CampaignOutcome]) -> list[StampGrant]:
    """The stamps of every campaign whose rules fire, after :func:`settle`: a campaign that awards
    points and stops the rest stops their stamps too."""
    grants = []
    stopped = False
    for outcome in outcomes:
        if stopped:
            break
        for effect in outcome.stamp_effects:
            grants.append(
                StampGrant(outcome.campaign.id, effect.card_id, effect.stamps, effect.per_stamp_earned)
            )
        fired = outcome.awarded > 0 or outcome.cashback > 0 or outcome.gives_things
        stopped = fired and outcome.campaign.definition.stop
    return grants


def gifts_granted(outcomes: Sequence[CampaignOutcome]) -> list[tuple[int, Gift]]:
    """(campaign id, effect) of every coupon and reward the firing campaigns hand out, after
    :func:`settle`, in priority order; nothing after a stopping campaign that fired."""
    gifts: list[tuple[int, Gift]] = []
    for outcome in outcomes:
        gifts += [(outcome.campaign.id, effect) for effect in outcome.gift_effects]
        if (
            outcome.awarded > 0 or outcome.cashback > 0 or outcome.gives_things
        ) and outcome.campaign.definition.stop:
            break
    return gifts
