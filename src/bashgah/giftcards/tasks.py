"""Scheduled gift-card work: expiry. A card's balance is its account's ``posted`` (no lots), so a card
past its date is closed as a whole, under its row lock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.giftcards.service import balance_of, close
from bashgah.ledger import service as ledger
from bashgah.models import GiftCard, utcnow


async def expire_cards(
    session: AsyncSession, limit: int = 1000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Post ``gift_card_expire`` for every active card past its date with rials left; returns the rials.

    Each card is re-read under its row lock, so two runners never expire one card twice.
    """
    now = now or utcnow()
    query = select(GiftCard.id).where(
        GiftCard.status == "active", GiftCard.expires_at.is_not(None), GiftCard.expires_at <= now
    )
    if tenant_id is not None:
        query = query.where(GiftCard.tenant_id == tenant_id)
    due = (await session.scalars(query.order_by(GiftCard.id).limit(limit))).all()
    expired = 0
    for card_id in due:
        card = await session.scalar(
            select(GiftCard)
            .where(GiftCard.id == card_id, GiftCard.status == "active")
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if card is None:
            continue
        left = await balance_of(session, card)
        async with ledger.journal(session, card.tenant_id, "job:expire") as j:
            await close(j, card, left, "expired")
        expired += left
    await session.flush()
    return expired
