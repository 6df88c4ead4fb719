"""What a purchase would earn and why, campaign by campaign (``POST /purchases/examine``); writes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.members import service as members
from bashgah.members.schemas import MemberRef
from bashgah.models import (
    Member,
)
from bashgah.programme import engine
from bashgah.programme.budgets import allowances
from bashgah.programme.campaigns import active_for
from bashgah.programme.engine import CampaignOutcome
from bashgah.programme.facts import Sale, purchase_facts
from bashgah.programme.schemas import (
    CampaignResult,
    ConditionResult,
    ExamineResult,
    RuleResult,
)
from bashgah.tenants import service as tenants


async def find_member(session: AsyncSession, tenant_id: int, ref: MemberRef) -> Member:
    if ref.id is not None:
        return await members.get(session, tenant_id, ref.id)
    if ref.mobile is not None:
        return await members.get_by_mobile(session, tenant_id, ref.mobile)
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
