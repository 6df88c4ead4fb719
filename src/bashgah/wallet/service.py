"""A member's wallet: rials in the same double-entry ledger as points, as their own asset.

The wallet is a second member account (``asset = "rials"``), opened the first time something is
credited. Every credit is a lot with its own expiry (cashback after the programme's months, top-ups
never, a loaded gift card keeps its own date); spending takes the soonest-expiring lots first. A use
case locks the member's points account first (as every sale does), then the wallet's row, so wallet
writers of one member queue behind each other and never deadlock with a sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Account, Transfer, utcnow
from bashgah.tenants.service import ProgramSettings
from bashgah.wallet.errors import InsufficientWallet
from bashgah.wallet.schemas import (
    TopUpCreate,
    WalletAdjustmentCreate,
    WalletAdjustmentPreview,
    WalletBalance,
    WalletChange,
    WalletLine,
    WalletRead,
)

RIALS = ledger.RIALS
TILL_ROLES = ("owner", "manager", "cashier")

DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "wallet_top_up": ("Top-up", "شارژ کیف پول"),
    "wallet_spend": ("Paid at the till", "پرداخت از کیف پول"),
    "wallet_return": ("Paid back for a return", "بازگشت پرداخت بابت مرجوعی"),
    "cashback": ("Cashback", "بازگشت وجه (کش‌بک)"),
    "cashback_reversal": ("Cashback taken back for a return", "کسر کش‌بک بابت مرجوعی"),
    "wallet_adjust": ("Manual adjustment", "اصلاح دستی"),
    "wallet_expire": ("Expired", "انقضای اعتبار"),
    "wallet_credit": ("Reward credit", "اعتبار جایزه"),
    "wallet_credit_reversal": ("Reward credit cancelled", "لغو اعتبار جایزه"),
    "gift_card_load": ("Gift card loaded", "شارژ با کارت هدیه"),
}


@dataclass(frozen=True)
class Wallet:
    """A member's wallet account as read under its row lock."""

    id: int
    member_id: int | None
    posted: int
    pending: int


async def open_wallet(
    session: AsyncSession, tenant_id: int, member_id: int, create: bool = True
) -> Wallet | None:
    """The member's wallet account, locked; opened on first use when ``create``.

    The caller already holds the member's points-account lock, so two transactions never both open it.
    """
    row = (
        await session.execute(
            select(Account.id, Account.posted, Account.pending)
            .where(Account.tenant_id == tenant_id, Account.member_id == member_id, Account.asset == RIALS)
            .with_for_update()
        )
    ).first()
    if row is not None:
        return Wallet(row[0], member_id, row[1], row[2])
    if not create:
        return None
    account = Account(
        tenant_id=tenant_id, asset=RIALS, kind="member", member_id=member_id, posted=0, pending=0
    )
    session.add(account)
    await session.flush()
    return Wallet(account.id, member_id, 0, 0)


def cashback_expiry(program: ProgramSettings, now: datetime) -> datetime | None:
    return (
        rules.expiry_for(now, "months", program.cashback_expiry_months)
        if program.cashback_expiry_months
        else None
    )


async def credit(
    j: ledger.Journal,
    wallet: Wallet,
    source: str,
    amount: int,
    code: str,
    key: str,
    now: datetime,
    expires_at: datetime | None,
    ref: tuple[str, int | None] | None = None,
    reason: str | None = None,
    pending_days: int = 0,
    purchase_id: int | None = None,
    source_account: int | None = None,
) -> int:
    """Move ``amount`` rials into the wallet from a rials system account (or ``source_account``) as a lot."""
    if source_account is None:
        source_account = await ledger.system_account(j.session, j.tenant_id, source, wallet.member_id, RIALS)
    transfer_id = await j.post(source_account, wallet.id, amount, code, key, ref, reason)
    await ledger.add_lot(
        j,
        wallet,
        transfer_id,
        amount,
        available_at=rules.available_after(now, pending_days),
        expires_at=expires_at,
        purchase_id=purchase_id,
    )
    return transfer_id


async def take(session: AsyncSession, wallet: Wallet, amount: int, now: datetime) -> list[tuple[int, int]]:
    """Take ``amount`` rials from available lots, soonest-expiring first, or raise InsufficientWallet."""
    lots = await ledger.spendable_lots(session, wallet.id, now)
    available = sum(n for _, n in lots)
    if amount > available:
        raise InsufficientWallet(available=available, requested=amount)
    taken = rules.take_in_order(lots, amount)
    await ledger.change_lots(session, taken, -1)
    return taken


async def debit(
    j: ledger.Journal,
    wallet: Wallet,
    sink: str,
    amount: int,
    code: str,
    key: str,
    ref: tuple[str, int | None] | None = None,
    reason: str | None = None,
) -> int:
    sink_id = await ledger.system_account(j.session, j.tenant_id, sink, wallet.member_id, RIALS)
    return await j.post(wallet.id, sink_id, amount, code, key, ref, reason)


async def credit_back(
    j: ledger.Journal,
    wallet: Wallet,
    amount: int,
    code: str,
    key: str,
    ref: tuple[str, int | None],
    reason: str | None,
) -> int:
    """Post rials paid at the till back to the wallet; the caller returns them to their own lots."""
    source = await ledger.system_account(j.session, j.tenant_id, "redemption", wallet.member_id, RIALS)
    return await j.post(source, wallet.id, amount, code, key, ref, reason)


async def take_back(
    j: ledger.Journal,
    wallet: Wallet,
    amount: int,
    sink: str,
    code: str,
    key: str,
    ref: tuple[str, int],
    reason: str | None,
    first_purchase: int | None = None,
) -> int:
    """Take up to ``amount`` rials back out of the wallet (pending ones too); the wallet never goes below
    zero, so only what is left can be taken. Returns how many rials were taken."""
    lots = await ledger.all_lots(j.session, wallet.id, first_purchase=first_purchase)
    n = min(amount, sum(r for _, r in lots))
    if n:
        await ledger.change_lots(j.session, rules.take_in_order(lots, n), -1)
        await debit(j, wallet, sink, n, code, key, ref, reason)
    return n


async def balance(
    session: AsyncSession, wallet: Wallet | None, now: datetime, j: ledger.Journal | None = None
) -> WalletBalance:
    if wallet is None:
        return WalletBalance(
            available_rials=0, pending_rials=0, expiring_30d_rials=0, next_expiry_at=None, total_rials=0
        )
    posted = j.totals(wallet)[0] if j is not None else wallet.posted
    lots = await ledger.lot_totals(session, wallet.id, now)
    # As for points: rials past their date are gone before the job posts them (see points_balance).
    return WalletBalance(
        available_rials=lots.available,
        pending_rials=lots.pending,
        expiring_30d_rials=lots.expiring,
        next_expiry_at=lots.next_expiry,
        total_rials=posted - lots.expired,
    )


# --- use cases ------------------------------------------------------------------------------------


async def _locked(
    session: AsyncSession, who: Principal, member_id: int, create: bool = True
) -> Wallet | None:
    member, _ = await members.lock(session, who.tenant_id, member_id)
    members.ensure_active(member)
    return await open_wallet(session, who.tenant_id, member.id, create)


async def top_up(session: AsyncSession, who: Principal, member_id: int, data: TopUpCreate) -> WalletChange:
    """Money paid in at the till or online goes into the wallet; top-ups never expire."""
    who.require(*TILL_ROLES)
    wallet = await _locked(session, who, member_id)
    assert wallet is not None
    now = utcnow()
    reason = " · ".join(part for part in (data.reason, data.reference) if part) or None
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        transfer_id = await credit(
            j,
            wallet,
            "issuance",
            data.amount_rials,
            "wallet_top_up",
            ledger.unique_key(f"top_up:{member_id}"),
            now,
            None,
            ("top_up", None),
            reason,
        )
    return WalletChange(
        transfer_id=transfer_id,
        amount_rials=data.amount_rials,
        reason=reason,
        balance=await balance(session, wallet, now, j),
    )


async def adjust(
    session: AsyncSession, who: Principal, member_id: int, data: WalletAdjustmentCreate
) -> WalletChange:
    """Give or take rials by hand (owner or manager), with the reason kept on the transfer."""
    who.require(*MANAGERS)
    wallet = await _locked(session, who, member_id)
    assert wallet is not None
    now = utcnow()
    key = ledger.unique_key(f"wallet_adjust:{member_id}")
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        if data.amount_rials > 0:
            transfer_id = await credit(
                j,
                wallet,
                "adjustment",
                data.amount_rials,
                "wallet_adjust",
                key,
                now,
                None,
                ("adjustment", None),
                data.reason,
            )
        else:
            lots = await ledger.all_lots(session, wallet.id)
            holding = sum(n for _, n in lots)
            wanted = -data.amount_rials
            if wanted > holding:
                raise InsufficientWallet(available=holding, requested=wanted)
            await ledger.change_lots(session, rules.take_in_order(lots, wanted), -1)
            transfer_id = await debit(
                j, wallet, "adjustment", wanted, "wallet_adjust", key, ("adjustment", None), data.reason
            )
    return WalletChange(
        transfer_id=transfer_id,
        amount_rials=data.amount_rials,
        reason=data.reason,
        balance=await balance(session, wallet, now, j),
    )


async def preview_adjust(
    session: AsyncSession, who: Principal, member_id: int, data: WalletAdjustmentCreate
) -> WalletAdjustmentPreview:
    """What :func:`adjust` would do — the wallet now and after — without doing it: read and made inside a
    savepoint that is then rolled back, so the figures are the adjustment's own. Refuses what
    :func:`adjust` would refuse (a blocked member, taking more than the wallet holds)."""
    savepoint = await session.begin_nested()
    try:
        who.require(*MANAGERS)
        before = await balance(session, await _locked(session, who, member_id), utcnow())
        made = await adjust(session, who, member_id, data)
    finally:
        await savepoint.rollback()
        session.expire_all()
    return WalletAdjustmentPreview(
        amount_rials=made.amount_rials, reason=made.reason or "", before=before, after=made.balance
    )


async def read(
    session: AsyncSession,
    who: Principal,
    member_id: int,
    lang: str,
    before: int | None = None,
    limit: int = 50,
) -> WalletRead:
    """Balance, what expires soon and the statement (newest first, a page at a time)."""
    await members.get(session, who.tenant_id, member_id)
    row = (
        await session.execute(
            select(Account.id, Account.posted, Account.pending).where(
                Account.tenant_id == who.tenant_id, Account.member_id == member_id, Account.asset == RIALS
            )
        )
    ).first()
    wallet = Wallet(row[0], member_id, row[1], row[2]) if row else None
    items: list[WalletLine] = []
    more = False
    if wallet is not None:
        query = select(Transfer).where(
            Transfer.tenant_id == who.tenant_id,
            or_(Transfer.debit_account_id == wallet.id, Transfer.credit_account_id == wallet.id),
        )
        if before is not None:
            query = query.where(Transfer.id < before)
        rows = (await session.scalars(query.order_by(Transfer.id.desc()).limit(limit + 1))).all()
        more = len(rows) > limit
        reasons = await ledger.reasons(session, who.tenant_id, rows[:limit], lang)
        items = [
            WalletLine(
                id=t.id,
                at=t.created_at,
                code=t.code,
                rials=t.amount if t.credit_account_id == wallet.id else -t.amount,
                description=DESCRIPTIONS.get(t.code, (t.code, t.code))[1 if lang == "fa" else 0],
                reason=reasons[t.id],
                ref_type=t.ref_type,
                ref_id=t.ref_id,
            )
            for t in rows[:limit]
        ]
    return WalletRead(
        member_id=member_id,
        balance=await balance(session, wallet, utcnow()),
        items=items,
        next_before=items[-1].id if more else None,
    )
