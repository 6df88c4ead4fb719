"""A return takes back its share of the stamps a purchase earned.

Stamps are append-only rows (``stamp_awards``): what a purchase earned stays what it earned, whatever
later edits of the card say. Stamps come off the open card first, and only when it has too few is the
last completed card reopened, its unused reward cancelled (or its points taken back while the member
still holds them all). A reward already used (or its points already spent) cannot be taken back: those
stamps are recorded as ``unrecovered`` and the member keeps what they had.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger import rules as ledger_rules
from bashgah.ledger import service as ledger
from bashgah.models import (
    MemberStampCard,
    Purchase,
    PurchaseItem,
    RewardInstance,
    StampAward,
)
from bashgah.programme.conditions import Line, matches
from bashgah.programme.schemas import ItemMatch
from bashgah.rewards import giving as rewards
from bashgah.stamps import rules
from bashgah.stamps.earning import open_card
from bashgah.stamps.schemas import (
    StampsRemoved,
)


async def _take_back_points(
    j: ledger.Journal, account: ledger.AccountLike, card: MemberStampCard, refund_id: int
) -> bool:
    """Take a full card's points back if the member still holds them all (then they are unused)."""
    points = card.reward_points or 0
    lots = await ledger.all_lots(j.session, account.id)
    if points <= 0 or sum(n for _, n in lots) < points:
        return False
    await ledger.change_lots(j.session, ledger_rules.take_in_order(lots, points), -1)
    await ledger.debit_member(
        j,
        account,
        "issuance",
        points,
        "bonus_reversal",
        f"refund:{refund_id}:stamp_card:{card.id}",
        ("refund", refund_id),
        f"stamp card {card.id}",
    )
    card.reward_points, card.reward_transfer_id = None, None
    return True


async def _take_back(
    j: ledger.Journal,
    account: ledger.AccountLike,
    member_id: int,
    card_id: int,
    due: int,
    now: datetime,
    refund_id: int,
) -> tuple[int, list[str], int]:
    """Take ``due`` stamps off the member's cards: (stamps unrecovered, rewards cancelled, progress).

    Off the open card first; then the last full card reopens if its reward is unused — its reward
    instance still issued (it is cancelled), or its points all still held (they are taken back as a
    ``bonus_reversal``)."""
    session, tenant_id = j.session, j.tenant_id
    cancelled: list[str] = []
    left = due
    mine = await open_card(session, member_id, card_id, now)
    while left > 0:
        if mine is not None and mine.stamps > 0:
            take = min(mine.stamps, left)
            mine.stamps -= take
            left -= take
            continue
        last = await session.scalar(
            select(MemberStampCard)
            .where(
                MemberStampCard.member_id == member_id,
                MemberStampCard.card_id == card_id,
                MemberStampCard.status == "completed",
            )
            .order_by(MemberStampCard.completed_at.desc(), MemberStampCard.id.desc())
            .limit(1)
        )
        if last is None:
            break
        if last.reward_instance_id is None:
            if not await _take_back_points(j, account, last, refund_id):
                break  # the member spent the card's points: they keep them
        else:
            code = await session.scalar(
                select(RewardInstance.code).where(RewardInstance.id == last.reward_instance_id)
            )
            if not await rewards.withdraw(session, tenant_id, last.reward_instance_id, now):
                break  # the free coffee was already drunk
            cancelled.append(code or "")
        if mine is not None:
            mine.status = "void"  # empty; the reopened card is the open one again
        last.status, last.completed_at, last.reward_instance_id = "open", None, None
        mine = last
    await session.flush()
    return left, cancelled, mine.stamps if mine is not None and mine.status == "open" else 0


async def _units(session: AsyncSession, purchase_id: int, basis: ItemMatch) -> tuple[int, int]:
    """(matching units bought, matching units returned so far) of a purchase."""
    items = (await session.scalars(select(PurchaseItem).where(PurchaseItem.purchase_id == purchase_id))).all()
    bought = returned = 0
    for item in items:
        if matches(basis, Line(item.sku, item.category, None, item.quantity, item.unit_price_rials)):
            bought += item.quantity
            returned += item.refunded_quantity
    return bought, returned


async def after_refund(
    j: ledger.Journal,
    account: ledger.AccountLike,
    purchase: Purchase,
    refund_id: int,
    refunded_after: int,
    by_items: bool,
    now: datetime,
) -> list[StampsRemoved]:
    """Take back a return's share of the stamps a purchase earned (the caller holds the member lock).

    The share is cumulative, like points: a whole return takes everything back; a return of items
    takes the stamps of those units for per-unit cards, and the share of the amount otherwise (so a
    partial return of an amount takes nothing from per-unit cards, whose units are not known).
    """
    session, tenant_id = j.session, j.tenant_id
    rows = (await session.scalars(select(StampAward).where(StampAward.purchase_id == purchase.id))).all()
    if not rows:
        return []
    full = refunded_after >= purchase.total_rials
    owed: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    version: dict[int, int] = {}
    for row in rows:
        version.setdefault(row.card_id, row.version)
        if row.stamps < 0 or row.refund_id is not None:
            done[row.card_id] += -row.stamps + row.unrecovered
            continue
        if full:
            owed[row.card_id] += row.stamps
        elif row.basis is not None:
            if by_items:
                bought, returned = await _units(session, purchase.id, ItemMatch.model_validate(row.basis))
                owed[row.card_id] += rules.due_on_return(row.stamps, returned, bought, 0)
        else:
            owed[row.card_id] += rules.due_on_return(row.stamps, refunded_after, purchase.total_rials, 0)
    result = []
    for card_id in sorted(owed):
        due = owed[card_id] - done[card_id]
        if due <= 0:
            continue
        unrecovered, cancelled, progress = await _take_back(
            j, account, purchase.member_id, card_id, due, now, refund_id
        )
        session.add(
            StampAward(
                tenant_id=tenant_id,
                card_id=card_id,
                version=version[card_id],
                member_id=purchase.member_id,
                purchase_id=purchase.id,
                refund_id=refund_id,
                stamps=-(due - unrecovered),
                unrecovered=unrecovered,
                created_at=now,
            )
        )
        result.append(
            StampsRemoved(
                card_id=card_id,
                stamps=due - unrecovered,
                unrecovered=unrecovered,
                cancelled_rewards=cancelled,
                progress=progress,
            )
        )
    await session.flush()
    return result
