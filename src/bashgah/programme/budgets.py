"""What a campaign may still give: its points budget and its limits per member, day, week or month."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import Points, plain
from bashgah.models import (
    Campaign,
    CampaignAward,
)
from bashgah.programme import conditions
from bashgah.programme.engine import Allowance, CampaignOutcome

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
    without ``budgets`` the others are not read either (the caller claims them with :func:`claim`).
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
            since = conditions.period_start(now, limit.per)
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


_campaigns = cast(Table, Campaign.__table__)
_CLAIM_BUDGET = (
    update(_campaigns)
    .where(_campaigns.c.id == bindparam("campaign_id"))
    .values(budget_used=_campaigns.c.budget_used + bindparam("points"))
)
_CLAIM_IF_LEFT = _CLAIM_BUDGET.where(
    _campaigns.c.budget_used + bindparam("points") <= bindparam("budget")
).returning(_campaigns.c.id)


async def claim(session: AsyncSession, awarding: list[CampaignOutcome]) -> bool:
    """Take each budgeted award out of its campaign's budget if the budget still holds it, in one
    conditional ``UPDATE`` per campaign (in id order, like :func:`allowances`' locks). When one does not
    fit, the claims made are undone (their rows stay locked) and the answer is False."""
    connection = await session.connection()
    made: list[dict[str, int]] = []
    for o in sorted(awarding, key=lambda o: o.campaign.id):
        budget = o.campaign.definition.budget_points
        if budget is None or o.awarded <= 0:
            continue
        wanted = {"campaign_id": o.campaign.id, "points": o.awarded}
        if (await connection.execute(_CLAIM_IF_LEFT, {**wanted, "budget": budget})).first() is None:
            if made:
                await connection.execute(_CLAIM_BUDGET, [{**c, "points": -c["points"]} for c in made])
            return False
        made.append(wanted)
    return True


async def charge(session: AsyncSession, awarding: list[CampaignOutcome]) -> None:
    """Take the budgeted awards out of their budgets, settled on the locked budget rows (they fit)."""
    claims = [
        {"campaign_id": o.campaign.id, "points": o.awarded}
        for o in awarding
        if o.campaign.definition.budget_points is not None and o.awarded > 0
    ]
    if claims:
        connection = await session.connection()
        await connection.execute(_CLAIM_BUDGET, claims)
