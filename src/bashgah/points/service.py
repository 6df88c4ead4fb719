"""A member's points as people see them: balance, statement, and manual adjustments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import InvalidInput, NotFound
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.ledger.schemas import PointsBalance
from bashgah.members import service as members
from bashgah.members.schemas import MemberRef
from bashgah.models import Member, Transfer, utcnow
from bashgah.points.schemas import (
    AdjustmentCreate,
    AdjustmentPreview,
    AdjustmentRead,
    BalanceRead,
    LedgerLine,
    LedgerPage,
    TransferCreate,
    TransferRead,
)
from bashgah.tenants import service as tenants


async def points_balance(
    session: AsyncSession, account: ledger.AccountLike, now: datetime, j: ledger.Journal | None = None
) -> PointsBalance:
    """The balance with this transaction's changes; pass the journal that made them (closed or not).

    Every figure is as of ``now``: points past their date are gone for the member even before the expiry
    job posts them, so ``total`` leaves them out too and always equals ``available + pending +
    reserved`` (below zero only when the member owes points, under ``allow_negative``).
    """
    found = await ledger.figures(session, account, now, j)
    return PointsBalance(**found.named(), reserved=found.reserved)


async def lifetime_totals(session: AsyncSession, account_id: int) -> tuple[int, int]:
    """(earned, redeemed) over the member's whole history, net of returns."""

    def net(plus: tuple[str, ...], minus: tuple[str, ...], plus_side: Any, minus_side: Any) -> Any:
        return func.coalesce(
            func.sum(
                case(
                    (and_(plus_side == account_id, Transfer.code.in_(plus)), Transfer.amount),
                    (and_(minus_side == account_id, Transfer.code.in_(minus)), -Transfer.amount),
                    else_=0,
                )
            ),
            0,
        )

    credit, debit = Transfer.credit_account_id, Transfer.debit_account_id
    row = (
        await session.execute(
            select(
                # Earned: on purchases and from campaigns, less what returns took back.
                net(("earn", "bonus"), ("earn_reversal", "bonus_reversal"), credit, debit),
                net(("redeem",), ("redeem_return",), debit, credit),
            ).where(or_(debit == account_id, credit == account_id))
        )
    ).one()
    return int(row[0]), int(row[1])


async def summary(session: AsyncSession, who: Principal, member_id: int) -> BalanceRead:
    account = await ledger.lock_member_account(session, who.tenant_id, member_id)
    now = utcnow()
    async with ledger.journal(session, who.tenant_id, "system:lapse") as j:
        await ledger.release_lapsed_holds(j, account, now)
    brief = await points_balance(session, account, now, j)
    earned, redeemed = await lifetime_totals(session, account.id)
    return BalanceRead(**brief.model_dump(), lifetime_earned=earned, lifetime_redeemed=redeemed)


async def adjust(
    session: AsyncSession, who: Principal, member_id: int, data: AdjustmentCreate
) -> AdjustmentRead:
    """Give or take points by hand. Managers and owners only; the reason is kept on the transfer."""
    who.require(*MANAGERS)
    account = await ledger.lock_member_account(session, who.tenant_id, member_id)
    program = await tenants.program_settings(session, who.tenant_id)
    now = utcnow()
    reason = data.reason.strip()
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        transfer_id = await ledger.adjust(
            j,
            account,
            data.points,
            now,
            ledger.unique_key(f"adjust:{member_id}"),
            reason,
            expires_at=rules.expiry_for(now, program.expiry_mode, program.expiry_months),
        )
    return AdjustmentRead(
        transfer_id=transfer_id,
        points=data.points,
        reason=reason,
        balance=await points_balance(session, account, now, j),
    )


async def preview_adjust(
    session: AsyncSession, who: Principal, member_id: int, data: AdjustmentCreate
) -> AdjustmentPreview:
    """What :func:`adjust` would do — the points available now and after — without doing it: the balance
    is read and the adjustment made inside a savepoint that is then rolled back, so the figures are the
    adjustment's own arithmetic. Refuses what :func:`adjust` would refuse (more points than available)."""
    async with ledger.rolled_back(session):
        before = await summary(session, who, member_id)
        made = await adjust(session, who, member_id, data)
    return AdjustmentPreview(
        points=made.points,
        reason=made.reason,
        before=PointsBalance(**before.model_dump(include=set(PointsBalance.model_fields))),
        after=made.balance,
    )


async def transfer(
    session: AsyncSession, who: Principal, member_id: int, data: TransferCreate
) -> TransferRead:
    """Give points from one member to another (both active, same club)."""
    giver = await members.get(session, who.tenant_id, member_id)
    receiver = (
        await members.get(session, who.tenant_id, data.to.id)
        if data.to.id is not None
        else await _resolve(session, who.tenant_id, data.to)
    )
    if receiver.id == giver.id:
        raise InvalidInput(
            "to", "a member cannot give points to themselves", "انتقال امتیاز به خود ممکن نیست", "گیرنده"
        )
    members.ensure_active(giver)
    members.ensure_active(receiver)
    # Two members' accounts: lock in id order so two opposite transfers cannot deadlock.
    first, second = sorted((giver.id, receiver.id))
    locked = {m: await ledger.lock_member_account(session, who.tenant_id, m) for m in (first, second)}
    now = utcnow()
    reason = data.reason.strip() if data.reason else None
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await ledger.release_lapsed_holds(j, locked[giver.id], now)
        transfer_id = await ledger.move_between_members(
            j, locked[giver.id], locked[receiver.id], data.points, now, ledger.unique_key("transfer"), reason
        )
    return TransferRead(
        transfer_id=transfer_id,
        points=data.points,
        from_member_id=giver.id,
        to_member_id=receiver.id,
        balance=await points_balance(session, locked[giver.id], now, j),
    )


async def _resolve(session: AsyncSession, tenant_id: int, ref: MemberRef) -> Member:
    if ref.mobile is not None:
        return await members.get_by_mobile(session, tenant_id, ref.mobile)
    return await members.get_by_card(session, tenant_id, ref.card or "")


async def history(
    session: AsyncSession,
    who: Principal,
    member_id: int,
    lang: str,
    before: int | None = None,
    limit: int = 50,
) -> LedgerPage:
    """The member's statement, newest first, a page at a time (``before`` = the last id seen)."""
    account = await ledger.member_account(session, who.tenant_id, member_id, ledger.POINTS)
    if account is None:
        raise NotFound("Member", "عضو")
    found = await ledger.statement(session, who.tenant_id, account.id, lang, before=before, limit=limit)
    return LedgerPage(
        items=[LedgerLine(**line.fields("points")) for line in found.lines], next_before=found.next_before
    )
