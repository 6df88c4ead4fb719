"""Job (``bashgah jobs run occasions``): give each member their occasion gifts, once per Jalali year.

A gift is an ``occasion_awards`` row, unique per (tenant, rule, member, Jalali year), written in the same
transaction as its ``occasion`` transfer (key ``occasion:<rule>:<member>:<year>``) and reward instance.
The row is inserted with ON CONFLICT DO NOTHING under the member's account lock, so a second run — or
a run in another process at the same moment — finds the gift given and adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, extract, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.jalali import TEHRAN
from bashgah.ledger import service as ledger
from bashgah.models import Member, MemberTier, OccasionAward, OccasionRule, utcnow
from bashgah.occasions import rules
from bashgah.rewards import giving as rewards
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.tiers.rules import Level

_awards = cast(Table, OccasionAward.__table__)
_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}
_DATE_COLUMN: dict[str, Any] = {
    "birthday": Member.birth_date,
    "wedding_anniversary": Member.wedding_date,
    "membership_anniversary": Member.created_at,
}


def _candidates(rule: OccasionRule, today: date) -> Any:
    """Active members who may be due this rule today (a cheap pre-filter; ``rules.due_year`` decides)."""
    query = (
        select(Member.id, Member.birth_date, Member.wedding_date, Member.created_at, MemberTier.level_id)
        .outerjoin(MemberTier, MemberTier.member_id == Member.id)
        .where(Member.tenant_id == rule.tenant_id, Member.status == "active")
        .order_by(Member.id)
    )
    column = _DATE_COLUMN.get(rule.kind)
    if column is None:  # Nowruz and Yalda: everybody
        return query
    pairs = rules.gregorian_days_around(today, rule.days_early)
    return query.where(
        column.is_not(None),
        or_(*(and_(extract("month", column) == m, extract("day", column) == d) for m, d in sorted(pairs))),
    )


def _level(ladder: tiers.Ladder | None, level_id: int | None) -> Level | None:
    if ladder is None or not ladder.enabled:
        return None
    return ladder.by_id(level_id)


def gift_points(rule: OccasionRule, level: Level | None) -> int:
    """The rule's points; a birthday adds the size of the member's level's birthday gift."""
    extra = level.birthday_gift_points if rule.kind == "birthday" and level is not None else 0
    return rule.points + extra


async def _claim(
    session: AsyncSession, rule: OccasionRule, member_id: int, year: int, points: int
) -> int | None:
    """Insert the award row; None when this member already has this year's gift."""
    connection = await session.connection()
    statement = (
        _DIALECTS[connection.dialect.name]
        .insert(_awards)
        .values(
            tenant_id=rule.tenant_id,
            rule_id=rule.id,
            member_id=member_id,
            jalali_year=year,
            points=points,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "rule_id", "member_id", "jalali_year"])
        .returning(_awards.c.id)
    )
    return cast(int | None, (await connection.execute(statement)).scalar())


async def _give(
    session: AsyncSession,
    rule: OccasionRule,
    member_id: int,
    year: int,
    points: int,
    program: tenants.ProgramSettings,
    now: datetime,
) -> bool:
    account = await ledger.lock_member_account(session, rule.tenant_id, member_id)
    award_id = await _claim(session, rule, member_id, year, points)
    if award_id is None:
        return False
    award = await session.get_one(OccasionAward, award_id)
    if points > 0:
        async with ledger.journal(session, rule.tenant_id, "job:occasions") as j:
            award.transfer_id = await ledger.credit_member(
                j,
                account,
                "issuance",
                points,
                "occasion",
                f"occasion:{rule.id}:{member_id}:{year}",
                program,
                now,
                ref=("occasion_award", award_id),
                reason=f"{rule.name_fa} / {rule.name_en}"[:500],
            )
    if rule.reward_id is not None:
        instance = await rewards.gift(session, rule.tenant_id, rule.reward_id, member_id, now)
        award.reward_instance_id = instance.id if instance is not None else None
    await session.flush()
    return True


async def _already(session: AsyncSession, rule_id: int, years: Sequence[int]) -> set[tuple[int, int]]:
    rows = await session.execute(
        select(OccasionAward.member_id, OccasionAward.jalali_year).where(
            OccasionAward.rule_id == rule_id, OccasionAward.jalali_year.in_(years)
        )
    )
    return {(member_id, year) for member_id, year in rows}


async def award_tenant(session: AsyncSession, tenant_id: int, now: datetime) -> int:
    """Give the gifts of every active occasion rule of a tenant that fall due on ``now``'s Tehran day.
    Returns the number of gifts given."""
    rule_list = (
        await session.scalars(
            select(OccasionRule)
            .where(OccasionRule.tenant_id == tenant_id, OccasionRule.active.is_(True))
            .order_by(OccasionRule.id)
        )
    ).all()
    if not rule_list:
        return 0
    today = now.astimezone(TEHRAN).date()
    this_year = rules.jalali_year_of(today)
    ladder = await tiers.ladder(session, tenant_id)
    program = await tenants.program_settings(session, tenant_id)
    given = 0
    for rule in rule_list:
        if (
            rule.kind not in rules.PERSONAL
            and rules.due_year(rule.kind, today, rule.days_early, rules.MemberDates()) is None
        ):
            continue
        done = await _already(session, rule.id, (this_year, this_year + 1))
        for member_id, birth, wedding, created_at, level_id in (
            await session.execute(_candidates(rule, today))
        ).all():
            dates = rules.MemberDates(birth, wedding, created_at.astimezone(TEHRAN).date())
            year = rules.due_year(rule.kind, today, rule.days_early, dates)
            if year is None or (member_id, year) in done:
                continue
            level = _level(ladder, level_id)
            if rule.tiers and (level is None or level.code not in rule.tiers):
                continue
            points = gift_points(rule, level)
            if points == 0 and rule.reward_id is None:
                continue
            given += await _give(session, rule, member_id, year, points, program, now)
    return given


async def award_occasions(session: AsyncSession, tenant_id: int, now: datetime | None = None) -> int:
    """The job's entry point for one tenant (see ``bashgah.jobs``)."""
    return await award_tenant(session, tenant_id, now or utcnow())
