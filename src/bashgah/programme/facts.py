"""The facts campaign rules ask about a member and a sale, read only when some active rule asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.members import service as members
from bashgah.models import (
    Member,
    MemberTier,
    Purchase,
)
from bashgah.programme import conditions, engine
from bashgah.programme.conditions import Facts, Line, MemberFacts
from bashgah.segments import service as segments
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers

_branches: TTLCache[tuple[str, int, int], tuple[str, str]] = TTLCache(ttl=60)


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
        earning=conditions.Earning(
            program.earn_points, program.earn_per_rials, program.rounding, sale.earn_multiplier_pct
        ),
    )
