"""A member's wallet: rials in the same double-entry ledger as points, as their own asset.

The wallet is a second member account (``asset = "rials"``), opened the first time something is
credited. Every credit is a lot with its own expiry (cashback after the programme's months, top-ups
never, a loaded gift card keeps its own date); spending takes the soonest-expiring lots first. A use
case locks the member's points account first (as every sale does), then the wallet's row, so wallet
writers of one member queue behind each other and never deadlock with a sale.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import utcnow
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

#: The wallet as the ledger knows it: its statement texts and codes; a manual take-away may take rials
#: still pending (cashback in its return window) too, and the wallet never goes below zero.
WALLET = ledger.Asset(
    name=RIALS,
    texts={
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
    },
    adjust_code="wallet_adjust",
    expire_code="wallet_expire",
    shortfall=InsufficientWallet,
    take_pending=True,
)

#: A member's wallet account as read under its row lock.
Wallet = ledger.LockedAccount


async def open_wallet(
    session: AsyncSession, tenant_id: int, member_id: int, create: bool = True
) -> Wallet | None:
    """The member's wallet account, locked; opened on first use when ``create``.

    The caller already holds the member's points-account lock, so two transactions never both open it.
    """
    wallet = await ledger.member_account(session, tenant_id, member_id, RIALS, lock=True)
    if wallet is None and create:
        wallet = await ledger.open_member_account(session, tenant_id, member_id, RIALS)
    return wallet


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
    return await ledger.credit(
        j,
        wallet,
        ledger.Credit(source, amount, code, key, reason),
        rules.LotDates(rules.available_after(now, pending_days), expires_at),
        ref,
        purchase_id,
        RIALS,
        source_account,
    )


async def take(session: AsyncSession, wallet: Wallet, amount: int, now: datetime) -> list[tuple[int, int]]:
    """Take ``amount`` rials from available lots, soonest-expiring first, or raise InsufficientWallet."""
    return await ledger.take(session, wallet, amount, now, WALLET)


#: Post rials from the wallet to a rials system account; the caller has taken them from the lots.
debit = functools.partial(ledger.debit_member, asset=RIALS)


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
    source = await j.system("redemption", wallet.member_id, RIALS)
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
    # As for points: rials past their date are gone before the job posts them (see ledger.figures).
    return WalletBalance(**(await ledger.figures(session, wallet, now, j)).named("_rials"))


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
        transfer_id = await ledger.adjust(j, wallet, data.amount_rials, now, key, data.reason, WALLET)
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
    async with ledger.rolled_back(session):
        who.require(*MANAGERS)
        before = await balance(session, await _locked(session, who, member_id), utcnow())
        made = await adjust(session, who, member_id, data)
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
    wallet = await ledger.member_account(session, who.tenant_id, member_id, RIALS)
    found = await ledger.statement(
        session, who.tenant_id, wallet.id if wallet else None, lang, WALLET, before, limit
    )
    return WalletRead(
        member_id=member_id,
        balance=await balance(session, wallet, utcnow()),
        items=[WalletLine(**line.fields("rials")) for line in found.lines],
        next_before=found.next_before,
    )
