"""Scheduled ledger work. Every job is idempotent and safe to run in two processes at once.

The ledger expires the lots of any asset the same way; the domain that owns an asset runs it for its
own (``wallet.tasks``), with its :class:`~bashgah.ledger.assets.Asset`, and ``bashgah.jobs`` wires the
jobs — the ledger imports none of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger import service as ledger
from bashgah.ledger.assets import MEMBER_POINTS, Asset
from bashgah.models import Account, PointLot, utcnow


async def expire_points(
    session: AsyncSession, limit: int = 1000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Post an ``expire`` transfer for every points lot past its expiry date with points left.

    Works member by member under the member's lock and re-reads the lots there, so a lot that another
    process expired in the meantime is skipped. Returns the number of points expired. ``tenant_id``
    limits it to one tenant (see ``bashgah.jobs``).
    """
    return await expire_lots(session, MEMBER_POINTS, now or utcnow(), limit, tenant_id)


async def expire_lots(
    session: AsyncSession, asset: Asset, now: datetime, limit: int = 1000, tenant_id: int | None = None
) -> int:
    """Post the asset's expire code for every lot of ``asset`` past its date with something left, to the
    asset's ``expiry`` account; returns how much expired. Member by member: the member's points account
    is every writer's first lock, the account of another asset is locked after it."""
    query = (
        select(PointLot.tenant_id, Account.member_id)
        .join(Account, Account.id == PointLot.account_id)
        .where(
            Account.asset == asset.name,
            PointLot.remaining > 0,
            PointLot.expires_at.is_not(None),
            PointLot.expires_at <= now,
        )
        .distinct()
        .limit(limit)
    )
    expired = 0
    async for points in ledger.lock_each_member(session, query, PointLot.tenant_id, tenant_id):
        # The member's points account is every writer's first lock, the account of another asset next.
        account: ledger.AccountLike | None = points
        if asset.name != ledger.POINTS:
            assert points.member_id is not None
            account = await ledger.member_account(
                session, points.tenant_id, points.member_id, asset.name, lock=True
            )
        assert account is not None
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
        async with ledger.journal(session, points.tenant_id, "job:expire") as j:
            for lot_id, remaining in lots:
                await ledger.change_lots(session, [(lot_id, remaining)], -1)
                await ledger.debit_member(
                    j,
                    account,
                    "expiry",
                    remaining,
                    asset.expire_code,
                    ledger.unique_key(f"lot:{lot_id}:expire"),
                    ("lot", lot_id),
                    asset=asset.name,
                )
                expired += remaining
    return expired
