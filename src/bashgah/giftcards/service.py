"""Gift cards: issue (one or a batch with generated codes), balance check, spend at the till, load into a
wallet, cancel; the expiry job is in ``tasks.py``.

Each card's value is its own ledger account (asset ``rials``, kind ``gift_card``): issuing posts
``gift_card_issue`` from the rials issuance account to the card, a till posts ``gift_card_spend`` from the
card to the rials redemption account, and so on — the same double-entry ledger as points. Whatever
changes a card's balance locks the card's row first, so twenty tills spending one card at once queue on
that row and the balance can never go below zero.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import BashgahError, InvalidInput, NotFound
from bashgah.core.rows import row_of
from bashgah.core.sheets import CsvWriter
from bashgah.coupons import rules as codes
from bashgah.exports import service as exports
from bashgah.giftcards.schemas import GiftCardCreate, GiftCardLoad, GiftCardLoaded, GiftCardRead
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Account, GiftCard, utcnow
from bashgah.wallet import service as wallet
from bashgah.wallet.errors import GiftCardClosed, GiftCardCodeTaken, GiftCardUnknown, InsufficientGiftCard

RIALS = ledger.RIALS


def status_of(card: GiftCard, balance: int, now: datetime) -> str:
    """What a person sees: a card past its date is expired even before the expiry job has run."""
    if card.status == "active" and card.expires_at is not None and card.expires_at <= now:
        return "expired"
    if card.status == "active" and balance == 0:
        return "used_up"
    return card.status


def _read(card: GiftCard, balance: int, now: datetime) -> GiftCardRead:
    return GiftCardRead(
        code=card.code,
        batch=card.batch,
        value_rials=card.value_rials,
        balance_rials=balance,
        status=status_of(card, balance, now),  # type: ignore[arg-type]
        expires_at=card.expires_at,
        member_id=card.member_id,
        created_at=card.created_at,
    )


# --- issue ------------------------------------------------------------------------------------------


async def _free_codes(session: AsyncSession, tenant_id: int, data: GiftCardCreate) -> list[str]:
    if data.code is not None:
        code = codes.normalize_code(data.code)
        if len(code) < 4:
            raise InvalidInput(
                "code", "use at least 4 Latin letters or digits", "دست‌کم ۴ حرف یا رقم لاتین", "کد"
            )
        if await _taken(session, tenant_id, [code]):
            raise GiftCardCodeTaken(code)
        return [code]
    codes.check_room(data.count or 0, data.length)
    chosen: set[str] = set()
    for _ in range(20):
        drawn = codes.random_codes(data.count - len(chosen), data.length, data.prefix.upper()) - chosen
        chosen |= drawn - await _taken(session, tenant_id, sorted(drawn))
        if len(chosen) == data.count:
            return sorted(chosen)
    raise BashgahError("could not draw enough unique codes; use longer codes")


async def _taken(session: AsyncSession, tenant_id: int, wanted: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        taken |= set(
            (
                await session.scalars(
                    select(GiftCard.code).where(GiftCard.tenant_id == tenant_id, GiftCard.code.in_(chunk))
                )
            ).all()
        )
    return taken


async def issue(session: AsyncSession, who: Principal, data: GiftCardCreate) -> list[GiftCardRead]:
    """Issue gift cards worth ``value_rials`` each: every card gets its own account, funded from the
    rials issuance account (``gift_card_issue``)."""
    who.require(*MANAGERS)
    now = utcnow()
    if data.expires_at is not None and data.expires_at <= now:
        raise InvalidInput("expires_at", "must be in the future", "باید در آینده باشد", "تاریخ انقضا")
    if data.member_id is not None:
        await members.get(session, who.tenant_id, data.member_id)
    cards = []
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        for code in await _free_codes(session, who.tenant_id, data):
            account = Account(tenant_id=who.tenant_id, asset=RIALS, kind="gift_card", posted=0, pending=0)
            session.add(account)
            await session.flush()
            card = row_of(
                GiftCard,
                data,
                tenant_id=who.tenant_id,
                code=code,
                account_id=account.id,
                status="active",
                created_at=now,
            )
            session.add(card)
            await session.flush()
            await j.post(
                await j.system("issuance", card.id, RIALS),
                account.id,
                data.value_rials,
                "gift_card_issue",
                f"gift_card:{card.id}:issue",
                ("gift_card", card.id),
                data.batch,
            )
            cards.append(card)
    return [_read(card, data.value_rials, now) for card in cards]


# --- read -------------------------------------------------------------------------------------------


async def _find(session: AsyncSession, tenant_id: int, raw: str, lock: bool) -> GiftCard:
    query = select(GiftCard).where(
        GiftCard.tenant_id == tenant_id, GiftCard.code == codes.normalize_code(raw)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    card = await session.scalar(query)
    if card is None:
        raise GiftCardUnknown()
    return card


async def balance_of(session: AsyncSession, card: GiftCard) -> int:
    return int(await session.scalar(select(Account.posted).where(Account.id == card.account_id)) or 0)


async def get(session: AsyncSession, who: Principal, code: str) -> GiftCardRead:
    """The balance check at the till."""
    card = await _find(session, who.tenant_id, code, lock=False)
    return _read(card, await balance_of(session, card), utcnow())


async def batch_csv(session: AsyncSession, who: Principal, batch: str) -> str:
    """The batch's codes, values, balances and states: owners and managers only (analysts if the club
    allows), and the download is written in the audit log."""
    await exports.require_export(session, who)
    rows = (
        await session.execute(
            select(GiftCard, Account.posted)
            .join(Account, Account.id == GiftCard.account_id)
            .where(GiftCard.tenant_id == who.tenant_id, GiftCard.batch == batch)
            .order_by(GiftCard.id)
        )
    ).all()
    if not rows:
        raise NotFound("Gift card batch", "دستهٔ کارت هدیه", detail=batch)
    now = utcnow()
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\n")
    writer.writerow(["code", "value_rials", "balance_rials", "status", "expires_at"])
    for card, posted in rows:
        expires = card.expires_at.isoformat() if card.expires_at else ""
        writer.writerow([card.code, card.value_rials, posted, status_of(card, posted, now), expires])
    await exports.record(
        session, who, "giftcards.codes_exported", "gift_card_batch", batch[:64], len(rows), "csv"
    )
    return out.getvalue()


# --- spend, give back, load, cancel -----------------------------------------------------------------


@dataclass
class LockedCard:
    card: GiftCard
    balance: int


async def lock_usable(session: AsyncSession, tenant_id: int, code: str, now: datetime) -> LockedCard:
    """The card's row locked (after the member's accounts, like every other writer), and usable now."""
    card = await _find(session, tenant_id, code, lock=True)
    held = await balance_of(session, card)
    status = status_of(card, held, now)
    if status != "active":
        raise GiftCardClosed(status)
    return LockedCard(card, held)


async def spend(
    j: ledger.Journal, locked: LockedCard, amount: int, member_id: int, purchase_id: int, receipt: str
) -> None:
    if amount > locked.balance:
        raise InsufficientGiftCard(available=locked.balance, requested=amount)
    await j.post(
        locked.card.account_id,
        await j.system("redemption", member_id, RIALS),
        amount,
        "gift_card_spend",
        f"purchase:{purchase_id}:gift_card",
        ("purchase", purchase_id),
        receipt,
    )
    locked.balance -= amount
    if locked.balance == 0:
        locked.card.status = "used_up"


async def give_back(
    j: ledger.Journal, card_id: int, amount: int, member_id: int, refund_id: int, receipt: str
) -> None:
    """A refund pays the card's share back to the card (which becomes usable again if it was used up)."""
    card = await j.session.scalar(
        select(GiftCard)
        .where(GiftCard.id == card_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert card is not None
    await j.post(
        await j.system("redemption", member_id, RIALS),
        card.account_id,
        amount,
        "gift_card_return",
        f"refund:{refund_id}:gift_card",
        ("refund", refund_id),
        receipt,
    )
    if card.status == "used_up":
        card.status = "active"


async def load(session: AsyncSession, who: Principal, code: str, data: GiftCardLoad) -> GiftCardLoaded:
    """Move a gift card's whole balance into a member's wallet; the credit keeps the card's expiry."""
    who.require(*wallet.TILL_ROLES)
    now = utcnow()
    member, _ = await members.lock(
        session, who.tenant_id, data.member.id, data.member.mobile, data.member.card
    )
    members.ensure_active(member)
    account = await wallet.open_wallet(session, who.tenant_id, member.id)
    assert account is not None
    locked = await lock_usable(session, who.tenant_id, code, now)
    card, amount = locked.card, locked.balance
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await wallet.credit(
            j,
            account,
            "issuance",
            amount,
            "gift_card_load",
            f"gift_card:{card.id}:load",
            now,
            card.expires_at,
            ("gift_card", card.id),
            card.code,
            source_account=card.account_id,
        )
    card.status = "used_up"
    if card.member_id is None:
        card.member_id = member.id
    await session.flush()
    return GiftCardLoaded(
        card=_read(card, 0, now),
        member_id=member.id,
        amount_rials=amount,
        wallet=await wallet.balance(session, account, now, j),
    )


async def cancel(session: AsyncSession, who: Principal, code: str) -> GiftCardRead:
    """Withdraw a card (lost, sold by mistake): what is left goes back to issuance (``gift_card_cancel``)."""
    who.require(*MANAGERS)
    now = utcnow()
    card = await _find(session, who.tenant_id, code, lock=True)
    left = await balance_of(session, card)
    if card.status == "cancelled":
        raise GiftCardClosed("cancelled")
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await close(j, card, left, "cancelled")
    await session.flush()
    return _read(card, 0, now)


#: How a card closes with rials left: they go to this rials system account under this code.
_CLOSINGS = {"cancelled": ("issuance", "cancel"), "expired": ("expiry", "expire")}


async def close(j: ledger.Journal, card: GiftCard, left: int, status: str) -> None:
    """Close a locked card as ``cancelled`` (what is left goes back to issuance, ``gift_card_cancel``) or
    ``expired`` (to expiry, ``gift_card_expire``)."""
    kind, what = _CLOSINGS[status]
    if left:
        await j.post(
            card.account_id,
            await j.system(kind, card.id, RIALS),
            left,
            f"gift_card_{what}",
            f"gift_card:{card.id}:{what}",
            ("gift_card", card.id),
        )
    card.status = status
