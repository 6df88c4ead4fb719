"""Scheduled wallet work: the ledger expires the wallet's lots, as the wallet describes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger.tasks import expire_lots
from bashgah.models import utcnow
from bashgah.wallet.service import WALLET


async def expire_wallets(
    session: AsyncSession, limit: int = 1000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Post ``wallet_expire`` for every wallet lot past its date with rials left; returns the rials."""
    return await expire_lots(session, WALLET, now or utcnow(), limit, tenant_id)
