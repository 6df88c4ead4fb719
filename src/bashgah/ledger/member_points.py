"""A member's points as people see them: balance, statement, and manual adjustments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import InvalidInput
from bashgah.ledger import service as ledger
from bashgah.ledger.schemas import (
    AdjustmentCreate,
    AdjustmentPreview,
    AdjustmentRead,
    BalanceRead,
    LedgerLine,
    LedgerPage,
    PointsBalance,
    TransferCreate,
    TransferRead,
)
from bashgah.members import service as members
from bashgah.members.schemas import MemberRef
from bashgah.models import Account, Member, Transfer, utcnow
from bashgah.tenants import service as tenants

DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "earn": ("Points earned on a purchase", "امتیاز خرید"),
    "redeem": ("Points spent", "مصرف امتیاز"),
    "earn_reversal": ("Points taken back for a return", "کسر امتیاز بابت مرجوعی"),
    "redeem_return": ("Spent points given back for a return", "بازگشت امتیاز مصرف‌شده بابت مرجوعی"),
    "expire": ("Points expired", "انقضای امتیاز"),
    "adjust": ("Manual adjustment", "اصلاح دستی"),
    "transfer": ("Transfer", "انتقال امتیاز"),
    "bonus": ("Campaign bonus", "امتیاز جشنواره"),
    "bonus_reversal": ("Campaign bonus taken back for a return", "کسر امتیاز جشنواره بابت مرجوعی"),
    "occasion": (
        "Occasion gift (birthday, anniversary, Nowruz, Yalda)",
        "هدیهٔ مناسبت (تولد، سالگرد، نوروز، یلدا)",
    ),
}


async def points_balance(
    session: AsyncSession, account: ledger.AccountLike, now: datetime, j: ledger.Journal | None = None
) -> PointsBalance:
    """The balance with this transaction's changes; pass the journal that made them (closed or not).

    Every figure is as of ``now``: points past their date are gone for the member even before the expiry
    job posts them, so ``total`` leaves them out too and always equals ``available + pending +
    reserved`` (below zero only when the member owes points, under ``allow_negative``).
    """
    posted, held = j.totals(account) if j is not None else (account.posted, account.pending)
    lots = await ledger.lot_totals(session, account.id, now)
    return PointsBalance(
        available=lots.available,
        pending=lots.pending,
        reserved=held,
        expiring_30d=lots.expiring,
        next_expiry_at=lots.next_expiry,
        total=posted - lots.expired,
    )


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
    await members.get(session, who.tenant_id, member_id)
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
    await members.get(session, who.tenant_id, member_id)
    account = await ledger.lock_member_account(session, who.tenant_id, member_id)
    program = await tenants.program_settings(session, who.tenant_id)
    now = utcnow()
    reason = data.reason.strip()
    key = ledger.unique_key(f"adjust:{member_id}")
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        if data.points > 0:
            transfer_id = await ledger.credit_member(
                j,
                account,
                "adjustment",
                data.points,
                "adjust",
                key,
                program,
                now,
                ("adjustment", None),
                reason,
            )
        else:
            # What can be taken is what the member could spend: the card's "available", checked and
            # named in the error alike. Points still in their return window go back by a refund of the
            # sale; expired ones are already gone; held ones are the hold's until it ends.
            take = -data.points
            await ledger.release_lapsed_holds(j, account, now)
            await ledger.take_spendable(session, account, take, now)
            transfer_id = await ledger.debit_member(
                j, account, "adjustment", take, "adjust", key, ("adjustment", None), reason
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
    savepoint = await session.begin_nested()
    try:
        before = await summary(session, who, member_id)
        made = await adjust(session, who, member_id, data)
    finally:
        await savepoint.rollback()
        session.expire_all()
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
    if ref.phone is not None:
        return await members.get_by_mobile(session, tenant_id, ref.phone)
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
    await members.get(session, who.tenant_id, member_id)
    account_id = await session.scalar(
        select(Account.id).where(
            Account.tenant_id == who.tenant_id, Account.member_id == member_id, Account.asset == "points"
        )
    )
    query = select(Transfer).where(
        Transfer.tenant_id == who.tenant_id,
        or_(Transfer.debit_account_id == account_id, Transfer.credit_account_id == account_id),
    )
    if before is not None:
        query = query.where(Transfer.id < before)
    rows = (await session.scalars(query.order_by(Transfer.id.desc()).limit(limit + 1))).all()
    reasons = await ledger.reasons(session, who.tenant_id, rows[:limit], lang)
    items = [
        LedgerLine(
            id=t.id,
            at=t.created_at,
            code=t.code,
            points=t.amount if t.credit_account_id == account_id else -t.amount,
            description=DESCRIPTIONS.get(t.code, (t.code, t.code))[1 if lang == "fa" else 0],
            reason=reasons[t.id],
            ref_type=t.ref_type,
            ref_id=t.ref_id,
        )
        for t in rows[:limit]
    ]
    return LedgerPage(items=items, next_before=items[-1].id if len(rows) > limit else None)
