"""Accounts of the ledger: the assets, each tenant's sharded system accounts, members' accounts and their locks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import NotFound
from bashgah.models import Account

SYSTEM_KINDS = ("issuance", "redemption", "expiry", "adjustment")
POINTS = "points"
#: Stored value in rials (member wallets and gift cards): its own asset in the same ledger, with its own
#: system accounts, so each asset's accounts sum to zero on their own.
RIALS = "rials"
ASSETS = (POINTS, RIALS)
#: Each system account is split into this many shards; a member always uses shard ``member_id % SHARDS``.
#: Every purchase credits the issuance account, so one row would serialise all tills of a tenant on its
#: row lock (held until commit); sixteen rows let sixteen tills commit at once. The shards of a kind sum
#: to that account's balance (see ``verify``).
SHARDS = 16


class AccountLike(Protocol):
    """What the ledger needs of a member's (locked) account: an ORM ``Account`` or a ``LockedAccount``."""

    @property
    def id(self) -> int: ...
    @property
    def member_id(self) -> int | None: ...
    @property
    def posted(self) -> int: ...
    @property
    def pending(self) -> int: ...


@dataclass(frozen=True)
class LockedAccount:
    """A member account's figures as read under its row lock."""

    id: int
    member_id: int | None
    posted: int
    pending: int


#: System account ids never change once a tenant exists; the long time limit only bounds memory.
_system_ids: TTLCache[tuple[str, int], dict[tuple[str, str, int], int]] = TTLCache(ttl=3600)


async def create_system_accounts(session: AsyncSession, tenant_id: int) -> None:
    for asset in ASSETS:
        for kind in SYSTEM_KINDS:
            for shard in range(SHARDS):
                session.add(
                    Account(tenant_id=tenant_id, asset=asset, kind=kind, shard=shard, posted=0, pending=0)
                )
    await session.flush()


async def _system_index(session: AsyncSession, tenant_id: int) -> dict[tuple[str, str, int], int]:
    ids = _system_ids.get((scope(session), tenant_id))
    if ids is None:
        rows = await session.execute(
            select(Account.asset, Account.kind, Account.shard, Account.id).where(
                Account.tenant_id == tenant_id,
                Account.member_id.is_(None),
                Account.kind.in_(SYSTEM_KINDS),
            )
        )
        ids = {(asset, kind, shard): account_id for asset, kind, shard, account_id in rows}
        if len(ids) != len(ASSETS) * len(SYSTEM_KINDS) * SHARDS:
            raise NotFound("Ledger accounts", "حساب‌های دفتر امتیاز", detail=f"tenant {tenant_id}")
        _system_ids.set((scope(session), tenant_id), ids)
    return ids


async def system_account_ids(session: AsyncSession, tenant_id: int) -> dict[str, int]:
    """Shard 0 of each system account (bulk work may book everything there)."""
    index = await _system_index(session, tenant_id)
    return {kind: index[(POINTS, kind, 0)] for kind in SYSTEM_KINDS}


async def system_account(
    session: AsyncSession, tenant_id: int, kind: str, member_id: int | None, asset: str = POINTS
) -> int:
    """The shard of system account ``kind`` (of ``asset``) that transfers with this member use."""
    index = await _system_index(session, tenant_id)
    return index[(asset, kind, (member_id or 0) % SHARDS)]


async def open_member_account(
    session: AsyncSession, tenant_id: int, member_id: int, asset: str = POINTS
) -> LockedAccount:
    account = Account(
        tenant_id=tenant_id, asset=asset, kind="member", member_id=member_id, posted=0, pending=0
    )
    session.add(account)
    await session.flush()
    return LockedAccount(account.id, member_id, 0, 0)


async def lock_member_account(session: AsyncSession, tenant_id: int, member_id: int) -> Account:
    """The member's points account, locked for the rest of the transaction."""
    account = await session.scalar(
        select(Account)
        .where(Account.tenant_id == tenant_id, Account.member_id == member_id, Account.asset == POINTS)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if account is None:
        raise NotFound("Member", "عضو")
    return account


async def member_account(
    session: AsyncSession, tenant_id: int, member_id: int, asset: str, lock: bool = False
) -> LockedAccount | None:
    """The member's account of ``asset`` (None when it was never opened), locked when ``lock``.

    A writer locks the member's points account first (every writer's first lock), then this one.
    """
    query = select(Account.id, Account.posted, Account.pending).where(
        Account.tenant_id == tenant_id, Account.member_id == member_id, Account.asset == asset
    )
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return LockedAccount(row[0], member_id, row[1], row[2]) if row is not None else None


async def lock_each_member(
    session: AsyncSession, due: Select[Any, Any], tenant_column: Any, tenant_id: int | None
) -> AsyncIterator[Account]:
    """Lock, one after the other, the points account of each (tenant id, member id) row ``due`` selects
    (of one tenant when ``tenant_id`` is given): how a job works member by member under their lock."""
    if tenant_id is not None:
        due = due.where(tenant_column == tenant_id)
    for row_tenant_id, member_id in (await session.execute(due)).all():
        yield await lock_member_account(session, row_tenant_id, member_id)
