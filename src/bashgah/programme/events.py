"""Events: a member did something worth points (sign-up, survey, review…); the event rules run on it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import (
    MemberEvent,
    utcnow,
)
from bashgah.points import service as member_points
from bashgah.programme import engine
from bashgah.programme.awards import award, hand_out
from bashgah.programme.campaigns import active_for
from bashgah.programme.conditions import Facts
from bashgah.programme.facts import member_facts
from bashgah.programme.schemas import (
    CampaignApplied,
    EventCreate,
    EventResult,
    GiftGiven,
)
from bashgah.stamps import earning as stamp_earning
from bashgah.stamps.results import StampsEarned
from bashgah.tenants import service as tenants


async def record_event(
    session: AsyncSession, who: Principal, data: EventCreate, lang: str = "fa"
) -> EventResult:
    """A member did something worth points (sign-up, survey, review…): run the event rules."""
    now = utcnow()
    program = await tenants.program_settings(session, who.tenant_id)
    member, account = await members.lock(
        session, who.tenant_id, data.member.id, data.member.mobile, data.member.card
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
            applied = await award(j, account, member.id, outcomes, program, now, ("event", event.id), 0)
            given = await stamp_earning.give_for_event(
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
