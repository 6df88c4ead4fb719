"""The journal: a use case's transfers, inserted as they come, and the balance changes they cause,
written when the use case closes it, in one order for every transaction."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.ledger.accounts import POINTS, AccountLike, system_account
from bashgah.models import Account, Transfer

# Statements of the hot path, built once: building a statement per call costs more Python time than
# the database spends running it. They run on the session's connection, as plain Core.
_accounts, _transfers = (cast(Table, m.__table__) for m in (Account, Transfer))
_INSERT_TRANSFER = insert(_transfers).returning(_transfers.c.id)
#: Several transfers in one round trip ("insertmanyvalues"), their ids in the order given.
_INSERT_TRANSFERS = insert(_transfers).returning(_transfers.c.id, sort_by_parameter_order=True)
_UPDATE_TOTALS = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(
        posted=_accounts.c.posted + bindparam("d_posted"),
        pending=_accounts.c.pending + bindparam("d_pending"),
    )
    .returning(_accounts.c.posted, _accounts.c.pending)
)


@dataclass(frozen=True)
class Posting:
    """One transfer to post: ``amount`` from ``debit`` to ``credit``."""

    debit: int
    credit: int
    amount: int
    code: str
    key: str
    ref: tuple[str, int | None] | None = None
    reason: str | None = None


@dataclass
class Journal:
    """Transfers of one use case, and the balance changes they cause, written on :meth:`close`."""

    session: AsyncSession
    tenant_id: int
    actor: str | None
    posted: dict[int, int] = field(default_factory=dict)
    pending: dict[int, int] = field(default_factory=dict)
    final: dict[int, tuple[int, int]] = field(default_factory=dict)

    async def post(
        self,
        debit: int,
        credit: int,
        amount: int,
        code: str,
        key: str,
        ref: tuple[str, int | None] | None = None,
        reason: str | None = None,
    ) -> int:
        """Insert a posted transfer and return its id."""
        connection = await self.session.connection()
        row = self._row(Posting(debit, credit, amount, code, key, ref, reason))
        transfer_id: int = (await connection.execute(_INSERT_TRANSFER, row)).scalar_one()
        return transfer_id

    async def post_many(self, postings: Sequence[Posting]) -> list[int]:
        """Insert several posted transfers in one round trip; their ids, in the order given."""
        if len(postings) == 1:  # a plain INSERT … RETURNING is cheaper than the batch form
            p = postings[0]
            return [await self.post(p.debit, p.credit, p.amount, p.code, p.key, p.ref, p.reason)]
        connection = await self.session.connection()
        rows = [self._row(p) for p in postings]
        return list((await connection.execute(_INSERT_TRANSFERS, rows)).scalars())

    def _row(self, p: Posting) -> dict[str, Any]:
        assert p.amount > 0, "a transfer moves a positive amount"
        ref_type, ref_id = p.ref if p.ref else (None, None)
        self.posted[p.debit] = self.posted.get(p.debit, 0) - p.amount
        self.posted[p.credit] = self.posted.get(p.credit, 0) + p.amount
        return {
            "tenant_id": self.tenant_id,
            "debit_account_id": p.debit,
            "credit_account_id": p.credit,
            "amount": p.amount,
            "code": p.code,
            "ref_type": ref_type,
            "ref_id": ref_id,
            "idempotency_key": p.key,
            "reason": p.reason,
            "actor": self.actor,
            "created_at": recorded_at(),
        }

    async def system(self, kind: str, shard: int | None, asset: str = POINTS) -> int:
        """The system account ``kind`` of ``asset`` a transfer with ``shard`` (a member's id, a gift
        card's) uses."""
        return await system_account(self.session, self.tenant_id, kind, shard, asset)

    def hold(self, account_id: int, amount: int) -> None:
        self.pending[account_id] = self.pending.get(account_id, 0) + amount

    def balance(self, account: AccountLike) -> int:
        """The account's posted balance including this journal's unwritten changes."""
        return account.posted + self.posted.get(account.id, 0)

    async def close(self) -> None:
        """Write the balance changes and remember each account's new totals.

        Highest id first: a tenant's member accounts (already locked by the use case) were created after
        its system accounts, so those come last, just before the commit, and every transaction takes the
        system rows' locks in the same order — no deadlocks and the shortest time holding them.
        """
        connection = await self.session.connection()
        for account_id in sorted(set(self.posted) | set(self.pending), reverse=True):
            dp, dh = self.posted.get(account_id, 0), self.pending.get(account_id, 0)
            if dp or dh:
                row = (
                    await connection.execute(
                        _UPDATE_TOTALS, {"account_id": account_id, "d_posted": dp, "d_pending": dh}
                    )
                ).one()
                self.final[account_id] = (row[0], row[1])
        self.posted.clear()
        self.pending.clear()

    def totals(self, account: AccountLike) -> tuple[int, int]:
        """(posted, pending) of ``account`` with this journal's changes, written or not."""
        if account.id in self.final:
            return self.final[account.id]
        return account.posted + self.posted.get(account.id, 0), account.pending + self.pending.get(
            account.id, 0
        )


@contextlib.asynccontextmanager
async def journal(session: AsyncSession, tenant_id: int, actor: str | None) -> AsyncIterator[Journal]:
    j = Journal(session, tenant_id, actor)
    yield j
    await j.close()


def recorded_at() -> datetime:
    """The moment a row is written (the replayable clock of ``bashgah.models``)."""
    from bashgah.models import utcnow

    return utcnow()


def unique_key(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex}"
