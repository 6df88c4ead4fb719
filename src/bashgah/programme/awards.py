"""Awarding what campaigns settle on: one bonus transfer, one wallet cashback credit, one award row per
campaign, the coupons and rewards they hand out; and what a purchase was given, for its refunds.

Evaluation itself is pure (``programme.engine``); the only queries are the facts some rule needs and
the budget and limit counts of campaigns that actually want to award (``programme.budgets``).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.coupons import service as coupons
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import (
    CampaignAward,
    CampaignVersion,
)
from bashgah.programme import engine
from bashgah.programme.budgets import allowances, charge, claim
from bashgah.programme.campaigns import Active
from bashgah.programme.engine import CampaignOutcome
from bashgah.programme.facts import Sale, purchase_facts
from bashgah.programme.schemas import (
    CampaignApplied,
    GiftGiven,
    IssueCoupon,
)
from bashgah.rewards import giving as rewards
from bashgah.rewards import service as reward_catalogue
from bashgah.tenants import service as tenants
from bashgah.wallet import service as wallet

_awards = cast(Table, CampaignAward.__table__)
_INSERT_AWARDS = insert(_awards)


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
                reward = await reward_catalogue.get(session, tenant_id, gift.reward_id, lang)
                given.append(
                    GiftGiven(campaign_id=campaign_id, kind="reward", code=instance.code, name=reward.name)
                )
    return given


async def award(
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
        claimed = await claim(session, awarding)
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
    if not claimed:  # settled on the locked rows: the amounts fit
        await charge(session, awarding)
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
    their coupons and rewards; the stamps they give are returned for ``stamps.earning`` to put on the
    member's cards.

    ``member`` is the sale's locked member row and ``visits_before`` their purchase count read with it,
    so the facts rules ask about need no queries of their own; ``earn`` is the sale's own earn, posted
    together with the bonus."""
    facts = await purchase_facts(
        j.session, j.tenant_id, member.id, sale, program, active.needs, 0, member, visits_before
    )
    outcomes = engine.evaluate(active.campaigns, facts, explain=False)
    source = ("purchase", purchase_id)
    applied = await award(
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


def refund_bonus_due(bonus: int, refunded_before: int, refunded_after: int, total: int) -> int:
    """Bonus points a refund takes back: the cumulative share, less what earlier refunds took."""
    return rules.proportional_due(
        bonus, refunded_after, total, rules.proportional_due(bonus, refunded_before, total, 0)
    )
