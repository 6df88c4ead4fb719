"""A segment definition compiled into one SQL predicate on ``members``.

Each condition compiles to a boolean SQLAlchemy Core expression over the ``members`` table that is never
NULL (so ``any`` and ``all`` mean what they say for members with missing fields). Purchase windows are
correlated sub-queries on ``purchases`` (indexed by member), so the same predicate serves a count over
the whole club and a check of one member (:func:`bashgah.segments.service.is_member`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast

import jdatetime
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

from bashgah.core.jalali import TEHRAN
from bashgah.models import Account, Branch, Member, MemberScore, MemberTier, Purchase, TierLevel
from bashgah.segments.conditions import (
    Age,
    All,
    AnyOf,
    BirthdayMonth,
    ChurnRisk,
    Clv,
    Condition,
    Consent,
    DaysSinceLastPurchase,
    EnrolledBranch,
    Gender,
    HasField,
    PointsBalance,
    RfmGroup,
    Spend,
    Status,
    Tags,
    Tier,
    Visits,
)
from bashgah.segments.dates import birth_date_bounds, month_patterns

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
