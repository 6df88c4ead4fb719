"""Stamps on members' cards from sales and events, and completing a card.

Every change to a member's cards happens under the member's points account lock, which the sale and
the event already hold, so a member has at most one open card per stamp card and no stamp is lost
however many tills sell to them at once. Completing a card issues its reward in the same transaction
as the sale: a reward instance (``rewards.giving.give``) or a ``bonus`` transfer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger import service as ledger
from bashgah.models import (
    MemberStampCard,
    Reward,
    StampAward,
)
from bashgah.programme.conditions import Line
from bashgah.programme.engine import StampGrant
from bashgah.programme.schemas import ItemMatch
from bashgah.rewards import giving as rewards
from bashgah.stamps import rules
from bashgah.stamps.cards import ActiveCard, active_for
from bashgah.stamps.schemas import (
    CompletedCard,
    StampsEarned,
)
from bashgah.tenants import service as tenants


def open_card_query(member_id: int, card_id: int) -> Select[MemberStampCard]:
    """The member's latest open card of a stamp card (past its expiry or not)."""
    return (
        select(MemberStampCard)
        .where(
            MemberStampCard.member_id == member_id,
            MemberStampCard.card_id == card_id,
            MemberStampCard.status == "open",
        )
        .order_by(MemberStampCard.id.desc())
        .limit(1)
    )


async def open_card(
    session: AsyncSession, member_id: int, card_id: int, now: datetime
) -> MemberStampCard | None:
    """The member's open card, or None; a card past its expiry is closed as expired on the way."""
    found = await session.scalar(open_card_query(member_id, card_id))
    if found is not None and found.expires_at is not None and found.expires_at <= now:
        found.status = "expired"
        return None
    return found


def _new_card(tenant_id: int, card: ActiveCard, member_id: int, now: datetime) -> MemberStampCard:
    days = card.definition.card_expires_days
    return MemberStampCard(
        tenant_id=tenant_id,
        card_id=card.id,
        member_id=member_id,
        card_version=card.version,
        stamps=0,
        stamps_needed=card.definition.stamps_needed,
        status="open",
        expires_at=now + timedelta(days=days) if days else None,
        completed_at=None,
        created_at=now,
    )


@dataclass(frozen=True)
class Source:
    """What gave the stamps: a purchase (points of a full card wait its return window) or an event."""

    purchase_id: int | None = None
    event_id: int | None = None
    pending_days: int = 0

    @property
    def key(self) -> str:
        return f"purchase:{self.purchase_id}" if self.purchase_id is not None else f"event:{self.event_id}"


async def _complete(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    card: ActiveCard,
    mine: MemberStampCard,
    now: datetime,
    source: Source,
) -> CompletedCard:
    session = j.session
    mine.status, mine.completed_at = "completed", now
    await session.flush()
    reward = card.definition.reward
    if reward.kind == "points" and reward.points:
        mine.reward_points = reward.points
        mine.reward_transfer_id = await ledger.credit_member(
            j,
            account,
            "issuance",
            reward.points,
            "bonus",
            # A card a return reopened may fill again, from another sale: its key names the sale.
            f"stamp_card:{mine.id}:reward:{source.key}",
            program,
            now,
            ref=("stamp_card", mine.id),
            reason=card.definition.name_fa,
            pending_days=source.pending_days,
        )
        return CompletedCard(
            id=mine.id,
            completed_at=now,
            reward_kind="points",
            reward_code=None,
            reward_status=None,
            reward_points=reward.points,
        )
    assert card.reward_id is not None  # checked when the card was saved
    instance = await rewards.give(session, j.tenant_id, card.reward_id, mine.member_id, now)
    mine.reward_instance_id = instance.id
    given = await session.get(Reward, card.reward_id)  # already loaded by give()
    return CompletedCard(
        id=mine.id,
        completed_at=now,
        reward_kind=given.kind if given is not None else reward.kind,
        reward_code=instance.code,
        reward_status=instance.status,
        reward_points=None,
    )


async def _add(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    card: ActiveCard,
    member_id: int,
    awards: Sequence[tuple[int, int | None, ItemMatch | None]],
    now: datetime,
    source: Source,
    lang: str,
) -> StampsEarned:
    """Put stamps on the member's open card, completing (and rewarding) cards as they fill up; stamps
    beyond a full card go on the next. ``awards``: (stamps, campaign id, per-unit basis) rows."""
    session = j.session
    n = sum(a[0] for a in awards)
    for stamps, campaign_id, basis in awards:
        session.add(
            StampAward(
                tenant_id=j.tenant_id,
                card_id=card.id,
                version=card.version,
                member_id=member_id,
                purchase_id=source.purchase_id,
                event_id=source.event_id,
                campaign_id=campaign_id,
                stamps=stamps,
                unrecovered=0,
                basis=basis.model_dump(mode="json") if basis is not None else None,
                created_at=now,
            )
        )
    mine = await open_card(session, member_id, card.id, now)
    completed: list[CompletedCard] = []
    left = n
    while left > 0:
        if mine is None:
            mine = _new_card(j.tenant_id, card, member_id, now)
            session.add(mine)
        put = min(mine.stamps_needed - mine.stamps, left)
        mine.stamps += put
        left -= put
        if mine.stamps >= mine.stamps_needed:
            completed.append(await _complete(j, account, program, card, mine, now, source))
            mine = None
    await session.flush()
    return StampsEarned(
        card_id=card.id,
        name=card.definition.name(lang),
        stamps=n,
        progress=mine.stamps if mine is not None else 0,
        stamps_needed=mine.stamps_needed if mine is not None else card.definition.stamps_needed,
        completed=completed,
    )


async def earn_for_purchase(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    cards: Sequence[ActiveCard],
    member_id: int,
    purchase_id: int,
    lines: Sequence[Line],
    total_rials: int,
    grants: Sequence[StampGrant],
    now: datetime,
    at: datetime,
    lang: str = "fa",
) -> list[StampsEarned]:
    """The stamps a recorded purchase earns on each card, with campaigns' extra stamps."""
    extra: dict[int, list[StampGrant]] = defaultdict(list)
    for g in grants:
        extra[g.card_id].append(g)
    source = Source(purchase_id=purchase_id, pending_days=program.pending_days)
    result = []
    for card in cards:
        if not card.open_at(at):
            continue
        d = card.definition
        base = rules.stamps_for(d.earn, lines, total_rials)
        awards: list[tuple[int, int | None, ItemMatch | None]] = []
        if base:
            awards.append((base, None, d.earn.items if d.earn.per == "unit" else None))
        for g in extra.get(card.id, ()):
            more = g.stamps * base if g.per_stamp_earned else g.stamps
            if more:
                awards.append((more, g.campaign_id, None))
        if awards:
            result.append(await _add(j, account, program, card, member_id, awards, now, source, lang))
    return result


async def give_for_event(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    member_id: int,
    event_id: int,
    grants: Sequence[StampGrant],
    now: datetime,
    lang: str = "fa",
) -> list[StampsEarned]:
    """Stamps event rules give (a check-in earns a stamp); cards not active now are skipped."""
    if not grants:
        return []
    cards = {c.id: c for c in await active_for(j.session, j.tenant_id) if c.open_at(now)}
    by_card: dict[int, list[tuple[int, int | None, ItemMatch | None]]] = defaultdict(list)
    for g in grants:
        if g.card_id in cards:
            by_card[g.card_id].append((g.stamps, g.campaign_id, None))
    source = Source(event_id=event_id)
    return [
        await _add(j, account, program, cards[card_id], member_id, awards, now, source, lang)
        for card_id, awards in by_card.items()
    ]
