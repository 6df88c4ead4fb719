"""Scheduled ledger work. Every job is idempotent and safe to run in two processes at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger import service as ledger
from bashgah.models import Account, PointLot, utcnow

#: The transfer code and the system account each asset's expired lots go to.
_EXPIRE_CODE = {ledger.POINTS: "expire", ledger.RIALS: "wallet_expire"}


async def expire_points(
    session: AsyncSession, limit: int = 1000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Post an ``expire`` transfer for every points lot past its expiry date with points left.

    Works member by member under the member's lock and re-reads the lots there, so a lot that another
    process expired in the meantime is skipped. Returns the number of points expired. ``tenant_id``
    limits it to one tenant (see ``bashgah.jobs``).
    """
    return await _expire_lots(session, ledger.POINTS, now or utcnow(), limit, tenant_id)


async def expire_stored_value(
    session: AsyncSession, limit: int = 1000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Expire wallet lots (``wallet_expire``) and gift cards (``gift_card_expire``) past their date.

    Returns the rials expired.
    """
    from bashgah.giftcards.service import expire_cards

    now = now or utcnow()
    lots = await _expire_lots(session, ledger.RIALS, now, limit, tenant_id)
    return lots + await expire_cards(session, now, limit, tenant_id)


async def _expire_lots(
    session: AsyncSession, asset: str, now: datetime, limit: int, tenant_id: int | None
) -> int:
    query = (
        select(PointLot.tenant_id, Account.member_id)
        .join(Account, Account.id == PointLot.account_id)
        .where(
            Account.asset == asset,
            PointLot.remaining > 0,
            PointLot.expires_at.is_not(None),
            PointLot.expires_at <= now,
        )
        .distinct()
        .limit(limit)
    )
    if tenant_id is not None:
        query = query.where(PointLot.tenant_id == tenant_id)
    due = (await session.execute(query)).all()
    expired = 0
    for lot_tenant_id, member_id in due:
        assert member_id is not None
        # The member's points account is every writer's first lock, the wallet's row comes after it.
        account: ledger.AccountLike = await ledger.lock_member_account(session, lot_tenant_id, member_id)
        if asset == ledger.RIALS:
            from bashgah.wallet.service import open_wallet

            purse = await open_wallet(session, lot_tenant_id, member_id, create=False)
            assert purse is not None
            account = purse
        lots = (
            await session.execute(
                select(PointLot.id, PointLot.remaining).where(
                    PointLot.account_id == account.id,
                    PointLot.remaining > 0,
                    PointLot.expires_at.is_not(None),
                    PointLot.expires_at <= now,
                )
            )
        ).all()
        async with ledger.journal(session, lot_tenant_id, "job:expire") as j:
            for lot_id, remaining in lots:
                await ledger.change_lots(session, [(lot_id, remaining)], -1)
                sink = await ledger.system_account(session, lot_tenant_id, "expiry", member_id, asset)
                await j.post(
                    account.id,
                    sink,
                    remaining,
                    _EXPIRE_CODE[asset],
                    ledger.unique_key(f"lot:{lot_id}:expire"),
                    ("lot", lot_id),
                )
                expired += remaining
    return expired
