"""The points ledger: double-entry transfers, lots, holds and the proof that the sums agree.

Every change of a balance goes through a :class:`Journal`. It inserts immutable transfers and collects
the changes to the cached ``posted``/``pending`` totals, which it writes when the use case closes it, in
account-id order, so two transactions never wait on each other's system accounts in opposite orders.
A member's account is locked (``SELECT … FOR UPDATE``) before anything about its balance is read; its
lots are only touched under that lock.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol, cast

from sqlalchemy import Table, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import InsufficientPoints, NotFound
from bashgah.core.types import UTCDateTime
from bashgah.ledger import rules
from bashgah.models import Account, PointLot, Reservation, Reward, RewardInstance, Transfer

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


class ExpiryPolicy(Protocol):
    """What crediting points needs to know of the programme."""

    @property
    def expiry_mode(self) -> str: ...
    @property
    def expiry_months(self) -> int: ...


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


async def open_member_account(session: AsyncSession, tenant_id: int, member_id: int) -> Account:
    account = Account(
        tenant_id=tenant_id, asset=POINTS, kind="member", member_id=member_id, posted=0, pending=0
    )
    session.add(account)
    await session.flush()
    return account


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


# Statements of the hot path, built once: building a statement per call costs more Python time than
# the database spends running it. They run on the session's connection, as plain Core.
_accounts, _transfers, _lots = (cast(Table, m.__table__) for m in (Account, Transfer, PointLot))
_INSERT_TRANSFER = insert(_transfers).returning(_transfers.c.id)
#: Several transfers in one round trip ("insertmanyvalues"), their ids in the order given.
_INSERT_TRANSFERS = insert(_transfers).returning(_transfers.c.id, sort_by_parameter_order=True)
_INSERT_LOT = insert(_lots)
_UPDATE_TOTALS = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(
        posted=_accounts.c.posted + bindparam("d_posted"),
        pending=_accounts.c.pending + bindparam("d_pending"),
    )
    .returning(_accounts.c.posted, _accounts.c.pending)
)
_NOW = bindparam("now", type_=UTCDateTime())
_SOON = bindparam("soon", type_=UTCDateTime())
#: Past its date but not yet posted as expired by the job: such points are gone for the member already.
_EXPIRED = and_(_lots.c.expires_at.is_not(None), _lots.c.expires_at <= _NOW)


def _lot_sum(*when: Any) -> Any:
    return func.coalesce(func.sum(case((and_(*when), _lots.c.remaining), else_=0)), 0)


_LOT_TOTALS = select(
    _lot_sum(~_EXPIRED, _lots.c.available_at <= _NOW),
    _lot_sum(~_EXPIRED, _lots.c.available_at > _NOW),
    _lot_sum(~_EXPIRED, _lots.c.expires_at.is_not(None), _lots.c.expires_at <= _SOON),
    func.min(case((~_EXPIRED, _lots.c.expires_at), else_=None)),
    _lot_sum(_EXPIRED),
).where(_lots.c.account_id == bindparam("account_id"), _lots.c.remaining > 0)


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
            "created_at": _now(),
        }

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


def _now() -> datetime:
    from bashgah.models import utcnow

    return utcnow()


def unique_key(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex}"


# --- lots -----------------------------------------------------------------------------------------


async def add_lot(
    j: Journal,
    account: AccountLike,
    transfer_id: int,
    amount: int,
    available_at: datetime,
    expires_at: datetime | None,
    purchase_id: int | None = None,
) -> None:
    """Record points just credited (and posted in ``j``) as a lot.

    When the account was negative, the credit pays the debt first and only the rest is spendable.
    """
    balance_before = j.balance(account) - amount
    spendable = rules.lot_credit_after_debt(balance_before, amount)
    connection = await j.session.connection()
    await connection.execute(
        _INSERT_LOT,
        {
            "tenant_id": j.tenant_id,
            "account_id": account.id,
            "transfer_id": transfer_id,
            "purchase_id": purchase_id,
            "amount": amount,
            "remaining": spendable,
            "available_at": available_at,
            "expires_at": expires_at,
            "created_at": _now(),
        },
    )


def _spend_order() -> tuple[object, ...]:
    # Soonest-expiring first; lots that never expire last; then oldest.
    return (PointLot.expires_at.is_(None), PointLot.expires_at, PointLot.available_at, PointLot.id)


async def spendable_lots(session: AsyncSession, account_id: int, now: datetime) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(PointLot.id, PointLot.remaining)
        .where(
            PointLot.account_id == account_id,
            PointLot.remaining > 0,
            PointLot.available_at <= now,
            or_(PointLot.expires_at.is_(None), PointLot.expires_at > now),
        )
        .order_by(*_spend_order())  # type: ignore[arg-type]
    )
    return [(lot_id, remaining) for lot_id, remaining in rows]


async def all_lots(
    session: AsyncSession, account_id: int, first_purchase: int | None = None
) -> list[tuple[int, int]]:
    """Every lot with points left (pending ones too), the given purchase's own lots first."""
    own = case((PointLot.purchase_id == first_purchase, 0), else_=1) if first_purchase else None
    order = ((own,) if own is not None else ()) + _spend_order()
    rows = await session.execute(
        select(PointLot.id, PointLot.remaining)
        .where(PointLot.account_id == account_id, PointLot.remaining > 0)
        .order_by(*order)  # type: ignore[arg-type]
    )
    return [(lot_id, remaining) for lot_id, remaining in rows]


async def change_lots(
    session: AsyncSession, changes: list[tuple[int, int]] | list[list[int]], sign: int
) -> None:
    for lot_id, n in changes:
        await session.execute(
            update(PointLot)
            .where(PointLot.id == lot_id)
            .values(remaining=PointLot.remaining + sign * n)
            .execution_options(synchronize_session=False)
        )


async def take_spendable(
    session: AsyncSession, account: AccountLike, points: int, now: datetime
) -> list[tuple[int, int]]:
    """Take ``points`` from available lots, soonest-expiring first, or raise InsufficientPoints."""
    lots = await spendable_lots(session, account.id, now)
    available = sum(n for _, n in lots)
    if points > available:
        raise InsufficientPoints(available=available, requested=points)
    taken = rules.take_in_order(lots, points)
    await change_lots(session, taken, -1)
    return taken


# --- use-case building blocks ---------------------------------------------------------------------


async def credit_member(
    j: Journal,
    account: AccountLike,
    source: str,
    amount: int,
    code: str,
    key: str,
    program: ExpiryPolicy,
    now: datetime,
    ref: tuple[str, int | None] | None = None,
    reason: str | None = None,
    pending_days: int = 0,
    purchase_id: int | None = None,
    earned_at: datetime | None = None,
) -> int:
    """Move ``amount`` points from a system account to the member, as a new lot.

    The lot is dated by ``rules.lot_dates`` from ``earned_at`` (a sale's own time), or ``now``.
    """
    source_id = await system_account(j.session, j.tenant_id, source, account.member_id)
    transfer_id = await j.post(source_id, account.id, amount, code, key, ref, reason)
    dates = rules.lot_dates(earned_at or now, pending_days, program.expiry_mode, program.expiry_months)
    await add_lot(j, account, transfer_id, amount, dates.available_at, dates.expires_at, purchase_id)
    return transfer_id


@dataclass(frozen=True)
class Credit:
    """Points from a system account (``source``) to a member, for :func:`credit_member_together`."""

    source: str
    amount: int
    code: str
    key: str
    reason: str | None = None


async def credit_member_together(
    j: Journal,
    account: AccountLike,
    credits: Sequence[Credit],
    program: ExpiryPolicy,
    now: datetime,
    ref: tuple[str, int | None] | None = None,
    pending_days: int = 0,
    purchase_id: int | None = None,
    earned_at: datetime | None = None,
) -> list[int]:
    """Several credits that share their dates (a sale's earn and its campaign bonus): one transfer each,
    posted in one round trip, and ONE lot for their sum (it names the first transfer), dated by
    ``rules.lot_dates`` from ``earned_at`` (the sale's own time), or ``now``."""
    postings = [
        Posting(
            await system_account(j.session, j.tenant_id, c.source, account.member_id),
            account.id,
            c.amount,
            c.code,
            c.key,
            ref,
            c.reason,
        )
        for c in credits
    ]
    ids = await j.post_many(postings)
    dates = rules.lot_dates(earned_at or now, pending_days, program.expiry_mode, program.expiry_months)
    amount = sum(c.amount for c in credits)
    await add_lot(j, account, ids[0], amount, dates.available_at, dates.expires_at, purchase_id)
    return ids


async def debit_member(
    j: Journal,
    account: AccountLike,
    sink: str,
    amount: int,
    code: str,
    key: str,
    ref: tuple[str, int | None] | None = None,
    reason: str | None = None,
) -> int:
    sink_id = await system_account(j.session, j.tenant_id, sink, account.member_id)
    return await j.post(account.id, sink_id, amount, code, key, ref, reason)


async def move_between_members(
    j: Journal,
    sender: AccountLike,
    receiver: AccountLike,
    points: int,
    now: datetime,
    key: str,
    reason: str | None,
) -> int:
    """Give ``points`` of one member's available points to another member (code ``transfer``).

    The receiver's new lots keep the expiry dates of the lots the points came from, so passing points
    back and forth never extends their life.
    """
    rows = await j.session.execute(
        select(PointLot.id, PointLot.remaining, PointLot.expires_at)
        .where(
            PointLot.account_id == sender.id,
            PointLot.remaining > 0,
            PointLot.available_at <= now,
            or_(PointLot.expires_at.is_(None), PointLot.expires_at > now),
        )
        .order_by(*_spend_order())  # type: ignore[arg-type]
    )
    lots = [(lot_id, remaining, expires) for lot_id, remaining, expires in rows]
    available = sum(n for _, n, _ in lots)
    if points > available:
        raise InsufficientPoints(available=available, requested=points)
    taken = rules.take_in_order(((lot_id, n) for lot_id, n, _ in lots), points)
    await change_lots(j.session, taken, -1)
    transfer_id = await j.post(
        sender.id, receiver.id, points, "transfer", key, ("member", sender.member_id), reason
    )
    expiry = {lot_id: expires for lot_id, _, expires in lots}
    running = j.balance(receiver) - points
    for lot_id, n in taken:
        await j.session.execute(
            insert(PointLot).values(
                tenant_id=j.tenant_id,
                account_id=receiver.id,
                transfer_id=transfer_id,
                purchase_id=None,
                amount=n,
                remaining=rules.lot_credit_after_debt(running, n),
                available_at=now,
                expires_at=expiry[lot_id],
                created_at=now,
            )
        )
        running += n
    return transfer_id


async def release_lapsed_holds(j: Journal, account: AccountLike, now: datetime) -> int:
    """Give back the points of this member's reservations whose time ran out. Returns how many."""
    lapsed = (
        await j.session.scalars(
            select(Reservation)
            .where(
                Reservation.account_id == account.id,
                Reservation.status == "held",
                Reservation.expires_at <= now,
            )
            .execution_options(populate_existing=True)
        )
    ).all()
    for reservation in lapsed:
        await close_hold(j, reservation, "expired", now)
    return len(lapsed)


async def shrink_holds(j: Journal, account: AccountLike, points: int, now: datetime) -> int:
    """Take up to ``points`` out of this member's open holds, newest first; returns how many.

    For a refund under ``within_balance``: points held for a redemption are still the member's, so a
    return takes them back too — otherwise reserving, returning and cancelling would keep them.
    A hold emptied this way ends as cancelled.
    """
    holds = (
        await j.session.scalars(
            select(Reservation)
            .where(Reservation.account_id == account.id, Reservation.status == "held")
            .order_by(Reservation.id.desc())
            .execution_options(populate_existing=True)
        )
    ).all()
    taken = 0
    for reservation in holds:
        if taken == points:
            break
        n = min(reservation.points, points - taken)
        reservation.allocations, _ = rules.split_allocations(reservation.allocations, reservation.points - n)
        reservation.points -= n
        j.hold(account.id, -n)
        if reservation.points == 0:
            reservation.status, reservation.closed_at = "cancelled", now
        taken += n
    return taken


async def close_hold(j: Journal, reservation: Reservation, status: str, now: datetime, used: int = 0) -> None:
    """End a hold exactly once: post ``used`` points as redeemed and give the rest back to their lots."""
    # The used points already left their lots when the hold was made; only the rest goes back — and
    # under allow_negative a refund may have taken points back while they were held: that debt is paid
    # first, exactly as a new credit would pay it (see add_lot).
    _, back = rules.split_allocations(reservation.allocations, used)
    posted, pending = (
        await j.session.execute(
            select(Account.posted, Account.pending).where(Account.id == reservation.account_id)
        )
    ).one()
    account_id = reservation.account_id
    free = posted + j.posted.get(account_id, 0) - pending - j.pending.get(account_id, 0)
    returned = rules.lot_credit_after_debt(free, sum(n for _, n in back))
    await change_lots(j.session, rules.take_in_order(((lot, n) for lot, n in back), returned), +1)
    j.hold(reservation.account_id, -reservation.points)
    if used:
        await _redeem_held(j, reservation, used)
    reservation.status = status
    reservation.committed_points = used
    reservation.closed_at = now


async def _redeem_held(j: Journal, reservation: Reservation, used: int) -> None:
    sink = await system_account(j.session, j.tenant_id, "redemption", reservation.member_id)
    await j.post(
        reservation.account_id,
        sink,
        used,
        "redeem",
        f"reservation:{reservation.id}:commit",
        ("reservation", reservation.id),
    )


# --- reading balances -----------------------------------------------------------------------------


class LotTotals(NamedTuple):
    """What an account's lots hold at a moment."""

    available: int
    pending: int
    #: Of available and pending, what expires within 30 days.
    expiring: int
    next_expiry: datetime | None
    #: Past their date, not yet posted as ``expire`` by the job (which will take exactly these).
    expired: int


async def lot_totals(session: AsyncSession, account_id: int, now: datetime) -> LotTotals:
    """What the account's lots hold at ``now`` (one query)."""
    connection = await session.connection()
    row = (
        await connection.execute(
            _LOT_TOTALS, {"account_id": account_id, "now": now, "soon": now + timedelta(days=30)}
        )
    ).one()
    return LotTotals(int(row[0]), int(row[1]), int(row[2]), row[3], int(row[4]))


async def reasons(
    session: AsyncSession, tenant_id: int, transfers: Sequence[Transfer], lang: str
) -> dict[int, str | None]:
    """Each statement line's reason in the page language: a reward's line names the reward in ``lang``
    (its stored reason holds both names, for the record), any other keeps the reason it was written with."""
    instances = {t.ref_id for t in transfers if t.ref_type == "reward_instance" and t.ref_id is not None}
    names: dict[int, str] = {}
    if instances:
        rows = await session.execute(
            select(RewardInstance.id, Reward.name_fa, Reward.name_en)
            .join(Reward, Reward.id == RewardInstance.reward_id)
            .where(RewardInstance.tenant_id == tenant_id, RewardInstance.id.in_(instances))
        )
        names = {i: (en or fa) if lang == "en" else (fa or en) for i, fa, en in rows.all()}
    return {
        t.id: names.get(t.ref_id, t.reason) if t.ref_type == "reward_instance" and t.ref_id else t.reason
        for t in transfers
    }
