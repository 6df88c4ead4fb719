"""Segment conditions as validated data, and their translation into one SQL predicate on ``members``.

A definition is one condition, usually an ``all`` or ``any`` of others. Each condition compiles to a
boolean SQLAlchemy Core expression over the ``members`` table that is never NULL (so ``any`` and ``all``
mean what they say for members with missing fields). Purchase windows are correlated sub-queries on
``purchases`` (indexed by member), so the same predicate serves a count over the whole club and a check
of one member (:func:`bashgah.segments.service.is_member`). The score conditions (``rfm_group``, ``clv``,
``churn_risk``) read ``member_scores``, written by ``bashgah jobs run scores``
(:mod:`bashgah.segments.tasks`).

Money is net of refunds: a purchase counts ``total_rials − refunded_rials``, and a purchase refunded in
full is not a visit. Windows end at the moment of evaluation and start ``days`` × 24 h before it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Literal, cast

import jdatetime
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    exists,
    extract,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB, array

from bashgah.analytics.labels import GROUPS as RFM_GROUPS
from bashgah.core.jalali import TEHRAN
from bashgah.members.service import clean_tags
from bashgah.models import Account, Branch, Member, MemberScore, MemberTier, Purchase, TierLevel

#: How deep ``all`` / ``any`` may nest: enough for any person's definition, bounded for the database.
MAX_DEPTH = 4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _range(low: int | None, high: int | None, what: str) -> None:
    if low is None and high is None:
        raise ValueError(f"give min_{what}, max_{what} or both")
    if low is not None and high is not None and low > high:
        raise ValueError(f"min_{what} is above max_{what}")


class Gender(_Strict):
    type: Literal["gender"]
    #: ``unknown`` matches members whose gender was not given.
    values: list[Literal["female", "male", "other", "unknown"]] = Field(min_length=1, max_length=4)


class HasField(_Strict):
    """A profile field was given (``present``) or left empty."""

    type: Literal["has_field"]
    field: Literal["email", "national_code", "birth_date"]
    present: bool = True


class Age(_Strict):
    """Age in whole years today (Tehran), from the birth date; members without one never match."""

    type: Literal["age"]
    min_age: int | None = Field(None, ge=0, le=130)
    max_age: int | None = Field(None, ge=0, le=130)

    @model_validator(mode="after")
    def _bounds(self) -> Age:
        _range(self.min_age, self.max_age, "age")
        return self


class Tags(_Strict):
    """The member has ``any`` (at least one) or ``all`` of the tags."""

    type: Literal["tags"]
    tags: list[str] = Field(min_length=1, max_length=50)
    match: Literal["any", "all"] = "any"

    @field_validator("tags")
    @classmethod
    def _clean(cls, tags: list[str]) -> list[str]:
        # The same cleaning as enrolment, so «مشتري ويژه» finds members tagged «مشتری ویژه».
        cleaned = clean_tags(tags)
        if not cleaned:
            raise ValueError("give at least one non-empty tag")
        return cleaned


class EnrolledBranch(_Strict):
    """The member was enrolled at one of these branches (codes)."""

    type: Literal["branch"]
    branches: list[str] = Field(min_length=1, max_length=500)


class Consent(_Strict):
    type: Literal["consent"]
    channel: Literal["sms", "email"]
    given: bool = True


class Status(_Strict):
    type: Literal["status"]
    status: Literal["active", "blocked"]


class Spend(_Strict):
    """Rials spent (net of refunds) in the last ``days`` days."""

    type: Literal["spend"]
    days: int = Field(ge=1, le=3650)
    min_rials: int | None = Field(None, ge=0, le=10**15)
    max_rials: int | None = Field(None, ge=0, le=10**15)

    @model_validator(mode="after")
    def _bounds(self) -> Spend:
        _range(self.min_rials, self.max_rials, "rials")
        return self


class Visits(_Strict):
    """Purchases (not refunded in full) in the last ``days`` days."""

    type: Literal["visits"]
    days: int = Field(ge=1, le=3650)
    min_visits: int | None = Field(None, ge=0, le=10**6)
    max_visits: int | None = Field(None, ge=0, le=10**6)

    @model_validator(mode="after")
    def _bounds(self) -> Visits:
        _range(self.min_visits, self.max_visits, "visits")
        return self


class DaysSinceLastPurchase(_Strict):
    """Whole days since the member's last purchase (not refunded in full).

    Members who never bought match only with ``include_never`` (they are the most lapsed of all, but a
    "come back" message makes no sense to them).
    """

    type: Literal["days_since_last_purchase"]
    min_days: int | None = Field(None, ge=0, le=36500)
    max_days: int | None = Field(None, ge=0, le=36500)
    include_never: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> DaysSinceLastPurchase:
        _range(self.min_days, self.max_days, "days")
        return self


class BirthdayMonth(_Strict):
    """Born in one of these Jalali months (1 = Farvardin … 12 = Esfand), or in the current one."""

    type: Literal["birthday_month"]
    months: list[int] | None = Field(None, min_length=1, max_length=12)
    this_month: bool = False

    @field_validator("months")
    @classmethod
    def _months(cls, months: list[int] | None) -> list[int] | None:
        if months is not None and any(not 1 <= m <= 12 for m in months):
            raise ValueError("Jalali months are 1 to 12")
        return sorted(set(months)) if months is not None else None

    @model_validator(mode="after")
    def _one(self) -> BirthdayMonth:
        if (self.months is None) == (not self.this_month):
            raise ValueError("give months or this_month, not both")
        return self


class PointsBalance(_Strict):
    """The member's ledger balance (available + pending + reserved)."""

    type: Literal["points_balance"]
    min_points: int | None = Field(None, ge=-(10**15), le=10**15)
    max_points: int | None = Field(None, ge=-(10**15), le=10**15)

    @model_validator(mode="after")
    def _bounds(self) -> PointsBalance:
        _range(self.min_points, self.max_points, "points")
        return self


class Tier(_Strict):
    """At one of these levels of the club's tier ladder (codes); a member never placed is at the entry
    level. In a club without tiers nobody matches."""

    type: Literal["tier"]
    levels: list[str] = Field(min_length=1, max_length=50)


class RfmGroup(_Strict):
    """In one of these RFM groups (``analytics.reports.rfm``: champions, loyal, at_risk, lost…), scored
    over the last 365 days.

    Read from ``member_scores``, as of the last ``bashgah jobs run scores`` (run it nightly from cron):
    scoring ranks the whole club, too slow for a sale. Members who never bought, or who have not been
    scored yet, are in no group. ``window_days`` is only ever 365 (the stored scores' window)."""

    type: Literal["rfm_group"]
    groups: list[str] = Field(min_length=1, max_length=len(RFM_GROUPS))
    window_days: int = Field(365, ge=365, le=365)

    @field_validator("groups")
    @classmethod
    def _known(cls, groups: list[str]) -> list[str]:
        unknown = [g for g in groups if g not in RFM_GROUPS]
        if unknown:
            raise ValueError(f"unknown RFM group {', '.join(unknown)}; one of {', '.join(RFM_GROUPS)}")
        return sorted(set(groups))


class Clv(_Strict):
    """Customer lifetime value as the CLV report scores it (``analytics.reports.clv``: BG/NBD and
    Gamma-Gamma fitted on the club's purchase days): expected value over the next 365 days in rials
    and/or the probability that the member is still active.

    Read from ``member_scores``, as of the last ``bashgah jobs run scores`` (run it nightly from cron).
    Members who never bought, or were not scored yet, never match; nor does anyone while the club had too
    little history to fit the models when the job ran (fewer than two members had bought on two
    different days)."""

    type: Literal["clv"]
    min_value_rials: int | None = Field(None, ge=0, le=10**15)
    max_value_rials: int | None = Field(None, ge=0, le=10**15)
    min_probability_alive: float | None = Field(None, ge=0, le=1)
    max_probability_alive: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _bounds(self) -> Clv:
        value = (self.min_value_rials, self.max_value_rials)
        alive = (self.min_probability_alive, self.max_probability_alive)
        if value == (None, None) and alive == (None, None):
            raise ValueError(
                "give min_value_rials, max_value_rials, min_probability_alive or max_probability_alive"
            )
        for (low, high), what in ((value, "value_rials"), (alive, "probability_alive")):
            if low is not None and high is not None and low > high:
                raise ValueError(f"min_{what} is above max_{what}")
        return self


class ChurnRisk(_Strict):
    """On the churn report's list (``analytics.reports.churn``): overdue against their own rhythm, the
    days since their last purchase above ``k`` × their mean days between purchases.

    Compares ``k`` with the ratio stored in ``member_scores`` by the last ``bashgah jobs run scores``
    (run it nightly from cron), so the days since are counted up to that run. Members without a rhythm
    (fewer than two purchases) or not scored yet never match."""

    type: Literal["churn_risk"]
    k: float = Field(2.0, gt=0, le=100)


class All(_Strict):
    type: Literal["all"]
    conditions: list[Condition] = Field(min_length=1, max_length=50)


class AnyOf(_Strict):
    type: Literal["any"]
    conditions: list[Condition] = Field(min_length=1, max_length=50)


Condition = Annotated[
    All
    | AnyOf
    | Gender
    | HasField
    | Age
    | Tags
    | EnrolledBranch
    | Consent
    | Status
    | Spend
    | Visits
    | DaysSinceLastPurchase
    | BirthdayMonth
    | PointsBalance
    | Tier
    | RfmGroup
    | Clv
    | ChurnRisk,
    Field(discriminator="type"),
]
All.model_rebuild()
AnyOf.model_rebuild()


def depth(condition: Condition) -> int:
    if isinstance(condition, All | AnyOf):
        return 1 + max(depth(c) for c in condition.conditions)
    return 1


def tier_codes(condition: Condition) -> set[str]:
    """Every tier level code the definition names (checked against the club's ladder when saved)."""
    if isinstance(condition, All | AnyOf):
        return set().union(*(tier_codes(c) for c in condition.conditions))
    if isinstance(condition, Tier):
        return set(condition.levels)
    return set()


def branch_codes(condition: Condition) -> set[str]:
    """Every branch code the definition names (checked against the club's branches when saved)."""
    if isinstance(condition, All | AnyOf):
        return set().union(*(branch_codes(c) for c in condition.conditions))
    if isinstance(condition, EnrolledBranch):
        return set(condition.branches)
    return set()


# --- pure date rules ------------------------------------------------------------------------------


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February becomes 28 February in a common year."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def birth_date_bounds(
    today: date, min_age: int | None, max_age: int | None
) -> tuple[date | None, date | None]:
    """(born after, born on or before) for an age between ``min_age`` and ``max_age`` years, inclusive.

    A person is ``n`` years old from their n-th birthday up to the day before the next one.
    """
    latest = years_before(today, min_age) if min_age is not None else None
    after = years_before(today, max_age + 1) if max_age is not None else None
    return after, latest


def _mmdd(d: date) -> int:
    return d.month * 100 + d.day


@lru_cache(maxsize=512)
def jalali_month_spans(year: int) -> tuple[tuple[int, int, int], ...]:
    """The Jalali months that meet Gregorian ``year``, as (Jalali month, first mmdd, last mmdd) inside it.

    mmdd is ``month * 100 + day`` of the Gregorian date. Dey is cut in two by 1 January.
    """
    spans: list[tuple[int, int, int]] = []
    start = date(year, 1, 1)
    month = jdatetime.date.fromgregorian(date=start).month
    day = start
    while day.year == year:
        following = day + timedelta(days=1)
        next_month = jdatetime.date.fromgregorian(date=following).month if following.year == year else None
        if next_month != month:
            spans.append((month, _mmdd(start), _mmdd(day)))
            start, month = following, next_month or month
        day = following
    return tuple(spans)


#: Birth years whose Jalali month boundaries are computed exactly; others use the commonest pattern.
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


@lru_cache(maxsize=64)
def month_patterns(
    months: tuple[int, ...],
) -> tuple[tuple[tuple[tuple[int, int], ...], tuple[int, ...]], ...]:
    """Gregorian years grouped by where the given Jalali months fall in them, commonest first.

    Each entry is ((first mmdd, last mmdd) ranges, years); the leap-year rules of both calendars move a
    boundary by a day, so there are only a few patterns.
    """
    wanted = set(months)
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for year in range(_FIRST_YEAR, _LAST_YEAR + 1):
        ranges = tuple((a, b) for m, a, b in jalali_month_spans(year) if m in wanted)
        groups.setdefault(ranges, []).append(year)
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))
    return tuple((ranges, tuple(years)) for ranges, years in ranked)


# --- compiling to SQL -----------------------------------------------------------------------------

members_t = cast(Table, Member.__table__)
purchases_t = cast(Table, Purchase.__table__)
accounts_t = cast(Table, Account.__table__)
branches_t = cast(Table, Branch.__table__)
member_tiers_t = cast(Table, MemberTier.__table__)
tier_levels_t = cast(Table, TierLevel.__table__)
member_scores_t = cast(Table, MemberScore.__table__)


@dataclass(frozen=True)
class Context:
    """What a definition is evaluated against: the tenant, the moment and the SQL dialect.

    The score conditions (``rfm_group``, ``clv``, ``churn_risk``) do not depend on the moment: they read
    the scores the last ``jobs run scores`` stored in ``member_scores``.
    """

    tenant_id: int
    now: datetime
    dialect: str
    #: Set when the predicate will only be asked about this one member (``is_member``), so that
    #: sub-queries can be correlated to that member's row instead of scanning the club.
    only_member: int | None = None

    @property
    def today(self) -> date:
        return self.now.astimezone(TEHRAN).date()


def _between(value: ColumnElement[int], low: int | None, high: int | None) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if low is not None:
        parts.append(value >= low)
    if high is not None:
        parts.append(value <= high)
    return and_(*parts)


def _counted_purchases(
    since: datetime | None, until: datetime, strictly_after: bool = False
) -> list[ColumnElement[bool]]:
    """The member's purchases that count (not refunded in full) from ``since`` up to ``until``."""
    p = purchases_t.c
    where = [p.member_id == members_t.c.id, p.refunded_rials < p.total_rials, p.occurred_at <= until]
    if since is not None:
        where.append(p.occurred_at > since if strictly_after else p.occurred_at >= since)
    return where


# Purchase windows take one of two shapes. Asked about one member (``is_member``), a sub-query
# correlated to that member reads only their purchases through the purchases-by-member index. Asked
# about the whole club (counts, lists, exports), one grouped pass over the tenant's purchases in the
# window is far cheaper than a look-up per member. The tests check both shapes against each other.


def _club_purchases(ctx: Context, since: datetime | None) -> list[ColumnElement[bool]]:
    p = purchases_t.c
    where = [p.tenant_id == ctx.tenant_id, p.refunded_rials < p.total_rials, p.occurred_at <= ctx.now]
    if since is not None:
        where.append(p.occurred_at > since)
    return where


def _has_purchase(ctx: Context, since: datetime | None) -> ColumnElement[bool]:
    """The member has a purchase that counts after ``since`` (ever, when None) and up to now."""
    if ctx.only_member is not None:
        return exists(select(literal(1)).where(*_counted_purchases(since, ctx.now, True)))
    buyers = select(purchases_t.c.member_id).where(*_club_purchases(ctx, since))
    return members_t.c.id.in_(buyers)


def _window_total(
    ctx: Context, days: int, total: ColumnElement[int], low: int | None, high: int | None
) -> ColumnElement[bool]:
    """``total`` (a sum or count over the member's purchases in the last ``days`` days; 0 without any)
    between ``low`` and ``high``."""
    since = ctx.now - timedelta(days=days)
    if ctx.only_member is not None:
        value = select(func.coalesce(total, 0)).where(*_counted_purchases(since, ctx.now)).scalar_subquery()
        return _between(value, low, high)
    p = purchases_t.c
    in_window = [*_club_purchases(ctx, None), p.occurred_at >= since]
    grouped = select(p.member_id).where(*in_window).group_by(p.member_id)
    if low:
        # Members without purchases in the window have 0 and cannot reach ``low``.
        return members_t.c.id.in_(grouped.having(_between(total, low, high)))
    if high is None:
        return true()
    return members_t.c.id.not_in(grouped.having(total > high))


def _tags(condition: Tags, ctx: Context) -> ColumnElement[bool]:
    tags = members_t.c.tags
    if ctx.dialect == "postgresql":
        wanted = array(condition.tags)
        as_jsonb = type_coerce(func.coalesce(tags.cast(JSONB), func.jsonb_build_array()), JSONB)
        return as_jsonb.has_any(wanted) if condition.match == "any" else as_jsonb.has_all(wanted)
    element = func.json_each(func.coalesce(tags, "[]")).table_valued("value")
    found = select(func.count(func.distinct(element.c.value))).where(element.c.value.in_(condition.tags))
    needed = 1 if condition.match == "any" else len(condition.tags)
    return found.scalar_subquery() >= needed


def _birthday(condition: BirthdayMonth, ctx: Context) -> ColumnElement[bool]:
    if condition.this_month:
        months: tuple[int, ...] = (jdatetime.date.fromgregorian(date=ctx.today).month,)
    else:
        months = tuple(condition.months or ())
    born = members_t.c.birth_date
    mmdd = extract("month", born).cast(Integer) * 100 + extract("day", born).cast(Integer)
    year = extract("year", born).cast(Integer)
    patterns = month_patterns(months)
    exceptions = [y for _, years in patterns[1:] for y in years]

    def within(ranges: tuple[tuple[int, int], ...]) -> ColumnElement[bool]:
        return or_(false(), *(mmdd.between(a, b) for a, b in ranges))

    commonest = (
        and_(year.not_in(exceptions), within(patterns[0][0])) if exceptions else within(patterns[0][0])
    )
    others = [and_(year.in_(years), within(ranges)) for ranges, years in patterns[1:]]
    return and_(born.is_not(None), or_(commonest, *others))


def _score(ctx: Context, *where: ColumnElement[bool]) -> ColumnElement[bool]:
    """The member has a stored score row (``member_scores``) meeting ``where``: a primary-key look-up
    for ``is_member``'s one member, one pass over the tenant's scores otherwise."""
    s = member_scores_t.c
    if ctx.only_member is not None:
        return exists(select(literal(1)).where(s.member_id == members_t.c.id, *where))
    return members_t.c.id.in_(select(s.member_id).where(s.tenant_id == ctx.tenant_id, *where))


def compile_condition(condition: Condition, ctx: Context) -> ColumnElement[bool]:
    """A predicate on ``members`` (never NULL) true for the members the condition describes."""
    m = members_t.c
    match condition:
        case All(conditions=inner):
            return and_(true(), *(compile_condition(c, ctx) for c in inner))
        case AnyOf(conditions=inner):
            return or_(false(), *(compile_condition(c, ctx) for c in inner))
        case Gender(values=values):
            return func.coalesce(m.gender, "unknown").in_(values)
        case HasField(field=name, present=present):
            column = m[name]
            given = and_(column.is_not(None), column != "") if name != "birth_date" else column.is_not(None)
            return given if present else not_(given)
        case Age(min_age=low, max_age=high):
            after, latest = birth_date_bounds(ctx.today, low, high)
            parts: list[ColumnElement[bool]] = [m.birth_date.is_not(None)]
            if latest is not None:
                parts.append(m.birth_date <= latest)
            if after is not None:
                parts.append(m.birth_date > after)
            return and_(*parts)
        case Tags():
            return _tags(condition, ctx)
        case EnrolledBranch(branches=codes):
            ids = select(branches_t.c.id).where(
                branches_t.c.tenant_id == ctx.tenant_id, branches_t.c.code.in_(codes)
            )
            return and_(m.enrolled_branch_id.is_not(None), m.enrolled_branch_id.in_(ids))
        case Consent(channel=channel, given=given):
            column = m.sms_consent if channel == "sms" else m.email_consent
            return column.is_(True) if given else column.is_not(True)
        case Status(status=status):
            return m.status == status
        case Spend(days=days, min_rials=low, max_rials=high):
            p = purchases_t.c
            return _window_total(ctx, days, func.sum(p.total_rials - p.refunded_rials), low, high)
        case Visits(days=days, min_visits=low, max_visits=high):
            return _window_total(ctx, days, func.count(), low, high)
        case DaysSinceLastPurchase(min_days=low, max_days=high, include_never=never):
            # Days since = whole days between the last purchase and now: at least ``low`` means none
            # after now − low days; at most ``high`` means one after now − (high + 1) days.
            def bought_after(days: int | None) -> ColumnElement[bool]:
                since = ctx.now - timedelta(days=days) if days is not None else None
                return _has_purchase(ctx, since)

            bought_ever = bought_after(None)
            recency: list[ColumnElement[bool]] = [bought_ever]
            if low:
                recency.append(not_(bought_after(low)))
            if high is not None:
                recency.append(bought_after(high + 1))
            bought = and_(*recency)
            return or_(bought, not_(bought_ever)) if never and high is None else bought
        case BirthdayMonth():
            return _birthday(condition, ctx)
        case Tier(levels=codes):
            placed = select(literal(1)).where(member_tiers_t.c.member_id == m.id)
            at_level = placed.join_from(
                member_tiers_t, tier_levels_t, tier_levels_t.c.id == member_tiers_t.c.level_id
            ).where(tier_levels_t.c.code.in_(codes))
            entry_wanted = select(literal(1)).where(
                tier_levels_t.c.tenant_id == ctx.tenant_id,
                tier_levels_t.c.rank == 0,
                tier_levels_t.c.code.in_(codes),
            )
            return or_(exists(at_level), and_(not_(exists(placed)), exists(entry_wanted)))
        case RfmGroup(groups=groups):
            return _score(ctx, member_scores_t.c.rfm_group.in_(groups))
        case Clv():
            s = member_scores_t.c
            value: list[ColumnElement[bool]] = [s.expected_value_365d_rials.is_not(None)]
            if condition.min_value_rials is not None:
                value.append(s.expected_value_365d_rials >= condition.min_value_rials)
            if condition.max_value_rials is not None:
                value.append(s.expected_value_365d_rials <= condition.max_value_rials)
            alive: list[ColumnElement[bool]] = [s.probability_alive.is_not(None)]
            if condition.min_probability_alive is not None:
                alive.append(s.probability_alive >= condition.min_probability_alive)
            if condition.max_probability_alive is not None:
                alive.append(s.probability_alive <= condition.max_probability_alive)
            return _score(ctx, *value, *alive)
        case ChurnRisk(k=k):
            # The churn report's own test: days since > k × mean gap, i.e. the ratio above k.
            ratio = member_scores_t.c.churn_ratio
            return _score(ctx, ratio.is_not(None), ratio > k)
        case PointsBalance(min_points=low, max_points=high):
            posted = (
                select(func.coalesce(func.sum(accounts_t.c.posted), 0))
                .where(accounts_t.c.member_id == m.id, accounts_t.c.asset == "points")
                .scalar_subquery()
            )
            return _between(posted, low, high)
    raise TypeError(f"no SQL for condition {condition!r}")


def utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(UTC)
