"""Which campaign rules fire, and for how many points: pure functions over facts, no I/O.

The service gathers the facts (the purchase or event, the member, the time) and the allowances of the
campaigns that want to award (budget left, per-member limits left); everything else happens here, so
it is unit-tested without a database. Every check explains itself in English and Persian, which is
what ``POST /api/v1/purchases/examine`` shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

import jdatetime

from bashgah.core.errors import isolate, to_persian_digits
from bashgah.core.jalali import MONTH_NAMES_FA, TEHRAN
from bashgah.ledger import rules as points_rules
from bashgah.programme.schemas import (
    WEEKDAYS,
    BasketSize,
    BirthdayMonth,
    BranchIn,
    CampaignCreate,
    Channel,
    Condition,
    DateRange,
    DaysSinceEnrolment,
    Effect,
    FirstPurchase,
    FixedBonus,
    Gift,
    Hours,
    InSegment,
    IssueCoupon,
    IssueReward,
    ItemMatch,
    Items,
    MemberTags,
    Occasion,
    PaymentMethod,
    PointsMultiplier,
    PointsPerItem,
    PurchaseTotal,
    Rule,
    Schedule,
    Stamps,
    Tier,
    Visits,
    WalletCashback,
    Weekdays,
)

WEEKDAYS_FA = ("شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه")
JALALI_MONTHS_FA = MONTH_NAMES_FA


@dataclass(frozen=True)
class Line:
    sku: str
    category: str | None
    brand: str | None
    quantity: int
    unit_price_rials: int


@dataclass(frozen=True)
class MemberFacts:
    tags: tuple[str, ...] = ()
    birth_date: date | None = None
    enrolled_at: datetime | None = None
    #: Purchases of the member, the one being evaluated included (None when no rule needs them).
    visits: int | None = None
    #: Code of the member's tier level (None when the club has no tiers or no rule asks).
    tier: str | None = None
    #: The ladder's levels as (code, English name, Persian name), so a reason names levels as people do.
    tier_names: tuple[tuple[str, str, str], ...] = ()
    #: Of the segments some rule names, those the member is in.
    segments: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Earning:
    """The programme's earn rate (and the member's tier multiplier), to turn the value of some items
    into base points the way the purchase's own base points were computed."""

    points: int
    per_rials: int
    rounding: str = "floor"
    multiplier_pct: int = 100


@dataclass(frozen=True)
class Facts:
    at: datetime
    member: MemberFacts
    trigger: str = "purchase"
    event: str | None = None
    total_rials: int = 0
    paid_rials: int = 0
    base_points: int = 0
    lines: tuple[Line, ...] = ()
    payment_method: str | None = None
    channel: str | None = None
    branch: str | None = None
    earning: Earning = Earning(1, 1)


Text = Callable[[], tuple[str, str]]


@dataclass(frozen=True)
class Check:
    """One condition's verdict. The explanation is only written when asked for (examine), so a sale
    pays for the verdict alone."""

    type: str
    passed: bool
    text: Text

    @property
    def en(self) -> str:
        return self.text()[0]

    @property
    def fa(self) -> str:
        return self.text()[1]

    def why(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


def said(en: str, fa: str) -> Text:
    return lambda: (en, fa)


@dataclass(frozen=True)
class When:
    """The moment of a sale or event in the calendars rules speak of, worked out once per evaluation."""

    at: datetime
    local: datetime
    today: date
    jalali: jdatetime.date
    weekday: int

    @classmethod
    def of(cls, at: datetime) -> When:
        moment = local(at)
        today = moment.date()
        return cls(at, moment, today, jalali(today), jalali_weekday(today))


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
    def proposed(self) -> int:
        if not self.schedule.passed:
            return 0
        return sum(r.points for r in self.rules if r.fires)

    @property
    def stamp_effects(self) -> list[Stamps]:
        """The stamps the firing rules give (they cost no points, so budgets and limits do not cap
        them; a stopping campaign of higher priority does, see :func:`stamps_granted`)."""
        if not self.schedule.passed:
            return []
        return [e for r in self.rules if r.fires for e in r.rule.effects if isinstance(e, Stamps)]

    @property
    def gift_effects(self) -> list[Gift]:
        """The coupons and rewards the firing rules hand out (not points: budgets and limits do not cap
        them; a stopping campaign of higher priority does, see :func:`gifts_granted`)."""
        if not self.schedule.passed:
            return []
        gifts = (IssueCoupon, IssueReward)
        return [e for r in self.rules if r.fires for e in r.rule.effects if isinstance(e, gifts)]

    @property
    def gives_things(self) -> bool:
        """Whether firing rules give stamps or gifts (which count as firing even without points)."""
        return bool(self.stamp_effects or self.gift_effects)

    @property
    def proposed_cashback(self) -> int:
        if not self.schedule.passed:
            return 0
        return sum(r.cashback for r in self.rules if r.fires)

    @property
    def firing_rules(self) -> list[str]:
        if not self.schedule.passed:
            return []
        return [r.rule.key for r in self.rules if r.fires and (r.points > 0 or r.cashback > 0)]


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


# --- time ---------------------------------------------------------------------------------------------


def local(at: datetime) -> datetime:
    return at.astimezone(TEHRAN)


def jalali_weekday(d: date) -> int:
    """0 = Saturday (شنبه) … 6 = Friday (جمعه)."""
    return (d.weekday() + 2) % 7


def jalali(d: date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=d)


def in_hours(hour: int, from_hour: int, to_hour: int) -> bool:
    if from_hour < to_hour:
        return from_hour <= hour < to_hour
    return hour >= from_hour or hour < to_hour  # wraps past midnight, e.g. 22 to 2


def period_start(now: datetime, per: str) -> datetime | None:
    """The start (UTC-aware) of the Tehran day, Jalali week (from Saturday) or Jalali month of ``now``."""
    today = local(now).date()
    if per == "day":
        start = today
    elif per == "week":
        start = today - timedelta(days=jalali_weekday(today))
    elif per == "month":
        start = today - timedelta(days=jalali(today).day - 1)
    else:
        return None
    return datetime(start.year, start.month, start.day, tzinfo=TEHRAN)


# --- conditions ---------------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def _f(value: object) -> str:
    """A figure in a Persian explanation: Persian digits and separators."""
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return to_persian_digits(text).translate(_FA_SEPARATORS)


def _day_fa(value: date) -> str:
    """A Gregorian day inside a Persian sentence, kept left to right."""
    return isolate(to_persian_digits(value.isoformat()), "fa")


_FA_SEPARATORS = str.maketrans({",": "\u066c", ".": "\u066b"})


def _between(
    kind: str, value: int, low: int | None, high: int | None, what: tuple[str, str], unit: tuple[str, str]
) -> Check:
    def text() -> tuple[str, str]:
        en, fa = f"{what[0]} {_n(value)}{unit[0]}", f"{what[1]} {_f(value)}{unit[1]}"
        if low is not None and value < low:
            return f"{en} is below {_n(low)}", f"{fa} کمتر از {_f(low)} است"
        if high is not None and value > high:
            return f"{en} is above {_n(high)}", f"{fa} بیشتر از {_f(high)} است"
        return f"{en} is in range", f"{fa} در بازه است"

    ok = (low is None or value >= low) and (high is None or value <= high)
    return Check(kind, ok, text)


def matches(match: ItemMatch, line: Line) -> bool:
    return (
        (match.skus is None or line.sku in match.skus)
        and (match.categories is None or line.category in match.categories)
        and (match.brands is None or line.brand in match.brands)
    )


def matching_units(match: ItemMatch, lines: Iterable[Line]) -> int:
    return sum(line.quantity for line in lines if matches(match, line))


def _describe(match: ItemMatch) -> tuple[str, str]:
    parts_en, parts_fa = [], []
    for name_en, name_fa, values in (
        ("sku", "کالا", match.skus),
        ("category", "دسته", match.categories),
        ("brand", "برند", match.brands),
    ):
        if values:
            parts_en.append(f"{name_en} {'/'.join(values)}")
            parts_fa.append(f"{name_fa} {'/'.join(values)}")
    return " and ".join(parts_en), " و ".join(parts_fa)


def check(condition: Condition, facts: Facts, when: When | None = None) -> Check:
    """Whether one condition holds, with the reason in both languages."""
    m = facts.member
    w = when or When.of(facts.at)
    kind = condition.type
    match condition:
        case PurchaseTotal(min_rials=low, max_rials=high):
            return _between(
                kind, facts.total_rials, low, high, ("the total", "مبلغ خرید"), (" rials", " ریال")
            )
        case Items(match=match_, min_quantity=need):
            have = matching_units(match_, facts.lines)

            def items_text() -> tuple[str, str]:
                en, fa = _describe(match_)
                if have < need:
                    return (
                        f"{have} of {need} units of {en} in the basket",
                        f"{_f(have)} از {_f(need)} عدد {fa} در سبد است",
                    )
                return f"{have} units of {en}", f"{_f(have)} عدد {fa}"

            return Check(kind, have >= need, items_text)
        case BasketSize(min_units=low, max_units=high):
            units = sum(line.quantity for line in facts.lines)
            return _between(kind, units, low, high, ("the basket has", "سبد"), (" units", " عدد دارد"))
        case PaymentMethod(methods=methods):
            ok = facts.payment_method in methods
            paid_by = facts.payment_method or "-"
            return Check(
                kind,
                ok,
                lambda: (
                    f"paid by {paid_by}" + ("" if ok else f", not {'/'.join(methods)}"),
                    f"پرداخت با {paid_by}" + ("" if ok else f"، نه {'/'.join(methods)}"),
                ),
            )
        case Channel(channel=wanted):
            ok = facts.channel == wanted
            online = facts.channel == "online"
            return Check(
                kind,
                ok,
                lambda: (
                    f"sold {'online' if online else 'in store'}" + ("" if ok else f", not {wanted}"),
                    f"فروش {'آنلاین' if online else 'حضوری'}" + ("" if ok else " است"),
                ),
            )
        case BranchIn(branches=codes):
            ok = facts.branch in codes
            branch = facts.branch
            return Check(
                kind,
                ok,
                lambda: (
                    f"branch {branch}" + ("" if ok else f" is not {'/'.join(codes)}"),
                    f"شعبهٔ {branch}" + ("" if ok else f" جزو {'/'.join(codes)} نیست"),
                ),
            )
        case MemberTags(any_of=tags):
            ok = any(t in m.tags for t in tags)
            return Check(
                kind,
                ok,
                lambda: (
                    f"the member is {'' if ok else 'not '}tagged {'/'.join(tags)}",
                    f"عضو برچسب {'/'.join(tags)} را {'دارد' if ok else 'ندارد'}",
                ),
            )
        case Tier(levels=levels):
            tier = m.tier
            if tier is None:
                return Check(kind, False, said("the club has no tiers", "باشگاه سطح‌بندی ندارد"))
            ok = tier in levels
            names = {code: (en, fa) for code, en, fa in m.tier_names}

            def level(code: str, lang: int) -> str:
                return names.get(code, (code, code))[lang]

            return Check(
                kind,
                ok,
                lambda: (
                    f"the member is {level(tier, 0)}"
                    + ("" if ok else f", not {'/'.join(level(c, 0) for c in levels)}"),
                    f"سطح عضو {level(tier, 1)} است"
                    + ("" if ok else f"، نه {'/'.join(level(c, 1) for c in levels)}"),
                ),
            )
        case InSegment(segments=wanted):
            ok = any(sid in m.segments for sid in wanted)
            listed = "/".join(str(sid) for sid in wanted)
            return Check(
                kind,
                ok,
                lambda: (
                    f"the member is {'' if ok else 'not '}in segment {listed}",
                    f"عضو در بخش {listed} {'است' if ok else 'نیست'}",
                ),
            )
        case BirthdayMonth():
            if m.birth_date is None:
                return Check(kind, False, said("the member's birthday is unknown", "تاریخ تولد عضو ثبت نشده"))
            month, born = w.jalali.month, jalali(m.birth_date).month
            return Check(
                kind,
                born == month,
                lambda: (
                    f"birthday in Jalali month {born}, now {month}",
                    f"تولد در {JALALI_MONTHS_FA[born - 1]}، اکنون {JALALI_MONTHS_FA[month - 1]}",
                ),
            )
        case DaysSinceEnrolment(min_days=low, max_days=high):
            days = (w.today - local(m.enrolled_at).date()).days if m.enrolled_at else 0
            return _between(kind, days, low, high, ("member for", "عضویت"), (" days", " روز"))
        case FirstPurchase():
            ok = m.visits == 1
            visits = m.visits
            return Check(
                kind,
                ok,
                lambda: (
                    "the member's first purchase" if ok else f"the member's purchase number {visits}",
                    "نخستین خرید عضو" if ok else f"خرید شمارهٔ {_f(visits)} عضو",
                ),
            )
        case Visits(min_visits=low, max_visits=high):
            return _between(kind, m.visits or 0, low, high, ("visit number", "مراجعهٔ شمارهٔ"), ("", ""))
        case DateRange(start=start, end=end):
            today = w.today
            if start is not None and today < start:
                return Check(
                    kind,
                    False,
                    lambda: (f"{today} is before {start}", f"{_day_fa(today)} پیش از {_day_fa(start)} است"),
                )
            if end is not None and today > end:
                return Check(
                    kind,
                    False,
                    lambda: (f"{today} is after {end}", f"{_day_fa(today)} پس از {_day_fa(end)} است"),
                )
            return Check(kind, True, lambda: (f"{today} is in range", f"{_day_fa(today)} در بازه است"))
        case Weekdays(days=days):
            wd = w.weekday
            ok = WEEKDAYS[wd] in days
            return Check(
                kind,
                ok,
                lambda: (
                    WEEKDAYS[wd] + ("" if ok else f" is not {'/'.join(days)}"),
                    WEEKDAYS_FA[wd] + ("" if ok else " جزو روزهای کمپین نیست"),
                ),
            )
        case Hours(from_hour=low, to_hour=high):
            hour = w.local.hour
            ok = in_hours(hour, low, high)
            return Check(
                kind,
                ok,
                lambda: (
                    f"{hour}:00 Tehran time is {'' if ok else 'not '}between {low}:00 and {high}:00",
                    f"ساعت {_f(hour)} به وقت تهران {'' if ok else 'خارج از '}بازهٔ {_f(low)} تا {_f(high)}"
                    + (" است" if ok else ""),
                ),
            )
        case Occasion(occasion=name):
            jd = w.jalali
            ok = (jd.month == 1 and jd.day <= 13) if name == "nowruz" else (jd.month == 9 and jd.day == 30)
            label_fa = "نوروز" if name == "nowruz" else "یلدا"
            return Check(
                kind,
                ok,
                lambda: (
                    f"{jd.strftime('%Y/%m/%d')} is {'' if ok else 'not '}{name}",
                    f"{_f(jd.strftime('%Y/%m/%d'))} {'' if ok else 'در '}{label_fa}{' است' if ok else ' نیست'}",
                ),
            )
    raise AssertionError(f"unknown condition {condition!r}")  # pragma: no cover - the union is closed


def check_schedule(schedule: Schedule, at: datetime, when: When | None = None) -> Check:
    if schedule.starts_at is not None and at < schedule.starts_at:
        return Check("schedule", False, said("the campaign has not started yet", "کمپین هنوز شروع نشده است"))
    if schedule.ends_at is not None and at >= schedule.ends_at:
        return Check("schedule", False, said("the campaign has ended", "کمپین تمام شده است"))
    w = when or When.of(at)
    if schedule.weekdays is not None and WEEKDAYS[w.weekday] not in schedule.weekdays:
        wd = w.weekday
        return Check(
            "schedule",
            False,
            lambda: (f"the campaign does not run on {WEEKDAYS[wd]}", f"کمپین {WEEKDAYS_FA[wd]} فعال نیست"),
        )
    low, high, hour = schedule.from_hour, schedule.to_hour, w.local.hour
    if low is not None and high is not None and not in_hours(hour, low, high):
        return Check(
            "schedule",
            False,
            lambda: (
                f"the campaign runs {low}:00–{high}:00, not at {hour}:00",
                f"کمپین از ساعت {_f(low)} تا {_f(high)} فعال است، نه ساعت {_f(hour)}",
            ),
        )
    return Check("schedule", True, said("the campaign is running", "کمپین فعال است"))


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
