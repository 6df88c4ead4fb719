"""The points ledger: double-entry transfers, lots, holds and the proof that the sums agree.

Every change of a balance goes through a :class:`Journal` (``journal.py``). It inserts immutable transfers
and collects the changes to the cached ``posted``/``pending`` totals, which it writes when the use case
closes it, in account-id order, so two transactions never wait on each other's system accounts in
opposite orders. A member's account is locked (``SELECT … FOR UPDATE``) before anything about its balance
is read; its lots (``lots.py``) are only touched under that lock.

This module holds the use cases' building blocks — credit, debit, adjust, move, statement — for any
asset (described by an :class:`~bashgah.ledger.assets.Asset`, points by default), and re-exports the
parts they are made of, so callers write ``ledger.journal``, ``ledger.take`` and so on.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import InsufficientPoints
from bashgah.ledger import rules
from bashgah.ledger.accounts import (
    ASSETS,
    POINTS,
    RIALS,
    SHARDS,
    SYSTEM_KINDS,
    AccountLike,
    LockedAccount,
    create_system_accounts,
    lock_each_member,
    lock_member_account,
    member_account,
    open_member_account,
    system_account,
    system_account_ids,
)
from bashgah.ledger.assets import MEMBER_POINTS, Asset
from bashgah.ledger.holds import close_hold, release_lapsed_holds, shrink_holds
from bashgah.ledger.journal import Journal, Posting, journal, unique_key
from bashgah.ledger.lots import (
    Figures,
    LotTotals,
    add_lot,
    all_lots,
    change_lots,
    figures,
    lot_totals,
    spend_order,
    spendable_lots,
    spendable_now,
    take,
    take_spendable,
)
from bashgah.models import PointLot, Reward, RewardInstance, Transfer

__all__ = [
    # re-exported: the parts the building blocks are made of
    "ASSETS",
    "POINTS",
    "RIALS",
    "SHARDS",
    "SYSTEM_KINDS",
    "AccountLike",
    "LockedAccount",
    "create_system_accounts",
    "lock_each_member",
    "lock_member_account",
    "member_account",
    "open_member_account",
    "system_account",
    "system_account_ids",
    "MEMBER_POINTS",
    "Asset",
    "close_hold",
    "release_lapsed_holds",
    "shrink_holds",
    "Journal",
    "Posting",
    "journal",
    "unique_key",
    "Figures",
    "LotTotals",
    "add_lot",
    "all_lots",
    "change_lots",
    "figures",
    "lot_totals",
    "spendable_lots",
    "take",
    "take_spendable",
    # the building blocks
    "ExpiryPolicy",
    "credit",
    "credit_member",
    "Credit",
    "credit_member_together",
    "debit_member",
    "adjust",
    "rolled_back",
    "move_between_members",
    "Line",
    "Statement",
    "statement",
    "reasons",
]


class ExpiryPolicy(Protocol):
    """What crediting points needs to know of the programme."""

    @property
    def expiry_mode(self) -> str: ...
    @property
    def expiry_months(self) -> int: ...


# --- use-case building blocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    """An amount from a system account (``source``) to a member: for :func:`credit` and
    :func:`credit_member_together`."""

    source: str
    amount: int
    code: str
    key: str
    reason: str | None = None


async def credit(
    j: Journal,
    account: AccountLike,
    c: Credit,
    dates: rules.LotDates,
    ref: tuple[str, int | None] | None = None,
    purchase_id: int | None = None,
    asset: str = POINTS,
    source_account: int | None = None,
) -> int:
    """Move ``c.amount`` from the system account ``c.source`` of ``asset`` (or ``source_account``) to the
    member's account of that asset, as a new lot with the given dates."""
    if source_account is None:
        source_account = await j.system(c.source, account.member_id, asset)
    transfer_id = await j.post(source_account, account.id, c.amount, c.code, c.key, ref, c.reason)
    await add_lot(j, account, transfer_id, c.amount, dates.available_at, dates.expires_at, purchase_id)
    return transfer_id


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
    dates = rules.lot_dates(earned_at or now, pending_days, program.expiry_mode, program.expiry_months)
    return await credit(j, account, Credit(source, amount, code, key, reason), dates, ref, purchase_id)


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
            await j.system(c.source, account.member_id),
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
    asset: str = POINTS,
) -> int:
    """Post ``amount`` from the member's account to the system account ``sink`` of ``asset``; the caller
    has taken it from the lots already."""
    return await j.post(
        account.id, await j.system(sink, account.member_id, asset), amount, code, key, ref, reason
    )


async def adjust(
    j: Journal,
    account: AccountLike,
    amount: int,
    now: datetime,
    key: str,
    reason: str,
    asset: Asset = MEMBER_POINTS,
    expires_at: datetime | None = None,
) -> int:
    """Give (``amount`` > 0) or take (< 0) by hand, under the asset's adjustment code and against its
    ``adjustment`` account; the reason is kept on the transfer. A gift is a lot available at once that
    expires at ``expires_at``; a take-away takes what the asset lets be taken (see :class:`Asset`)."""
    ref = ("adjustment", None)
    if amount > 0:
        given = Credit("adjustment", amount, asset.adjust_code, key, reason)
        return await credit(j, account, given, rules.LotDates(now, expires_at), ref, asset=asset.name)
    if asset.holds:
        await release_lapsed_holds(j, account, now)
    await take(j.session, account, -amount, now, asset, pending=asset.take_pending)
    return await debit_member(
        j, account, "adjustment", -amount, asset.adjust_code, key, ref, reason, asset.name
    )


@contextlib.asynccontextmanager
async def rolled_back(session: AsyncSession) -> AsyncIterator[None]:
    """Run a use case for its figures only (a preview): inside a savepoint that is then rolled back."""
    savepoint = await session.begin_nested()
    try:
        yield
    finally:
        await savepoint.rollback()
        session.expire_all()


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
        .where(*spendable_now(sender.id, now))
        .order_by(*spend_order())  # type: ignore[arg-type]
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


# --- statements -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One statement line, signed from the member's side: + credited, − debited."""

    id: int
    at: datetime
    code: str
    amount: int
    description: str
    reason: str | None
    ref_type: str | None
    ref_id: int | None

    def fields(self, amount: str) -> dict[str, Any]:
        """The line's fields for a schema that names the amount ``amount`` (``points``, ``rials``)."""
        return {
            "id": self.id,
            "at": self.at,
            "code": self.code,
            amount: self.amount,
            "description": self.description,
            "reason": self.reason,
            "ref_type": self.ref_type,
            "ref_id": self.ref_id,
        }


@dataclass(frozen=True)
class Statement:
    lines: list[Line]
    #: Pass as ``before`` to get the next (older) page; None on the last page.
    next_before: int | None


async def statement(
    session: AsyncSession,
    tenant_id: int,
    account_id: int | None,
    lang: str,
    asset: Asset = MEMBER_POINTS,
    before: int | None = None,
    limit: int = 50,
) -> Statement:
    """An account's statement, newest first, a page at a time (``before`` = the last id seen), each line
    described in ``lang`` by the asset's texts. An account never opened (None) has no lines."""
    if account_id is None:
        return Statement([], None)
    query = select(Transfer).where(
        Transfer.tenant_id == tenant_id,
        or_(Transfer.debit_account_id == account_id, Transfer.credit_account_id == account_id),
    )
    if before is not None:
        query = query.where(Transfer.id < before)
    rows = (await session.scalars(query.order_by(Transfer.id.desc()).limit(limit + 1))).all()
    said = await reasons(session, tenant_id, rows[:limit], lang)
    lines = [
        Line(
            t.id,
            t.created_at,
            t.code,
            t.amount if t.credit_account_id == account_id else -t.amount,
            asset.describe(t.code, lang),
            said[t.id],
            t.ref_type,
            t.ref_id,
        )
        for t in rows[:limit]
    ]
    return Statement(lines, lines[-1].id if len(rows) > limit else None)


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
