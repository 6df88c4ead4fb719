"""Returns: take back earned points and give back spent ones, stored value, cashback and stamps, in
proportion to what is returned; and the refunds recorded for a purchase.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import InvalidInput, InvalidState, Money
from bashgah.coupons import service as coupons
from bashgah.giftcards import service as gift_cards
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.models import Purchase, PurchaseItem, Refund, utcnow
from bashgah.points import service as member_points
from bashgah.programme import awards as programme_awards
from bashgah.purchases.reads import find
from bashgah.purchases.schemas import (
    RefundCreate,
    RefundResult,
)
from bashgah.stamps import returns as stamp_returns
from bashgah.tenants import service as tenants
from bashgah.wallet import service as wallet


async def _refund_amount(
    session: AsyncSession, purchase: Purchase, data: RefundCreate
) -> tuple[int, list[dict[str, object]]]:
    left = purchase.total_rials - purchase.refunded_rials
    if data.items is None:
        amount = data.amount_rials if data.amount_rials is not None else left
        return amount, []
    lines = (
        await session.scalars(
            select(PurchaseItem).where(PurchaseItem.purchase_id == purchase.id).order_by(PurchaseItem.id)
        )
    ).all()
    value = 0
    done: list[dict[str, object]] = []
    for wanted in data.items:
        need = wanted.quantity
        for line in lines:
            if line.sku != wanted.sku or need == 0:
                continue
            n = min(need, line.quantity - line.refunded_quantity)
            line.refunded_quantity += n
            value += n * line.unit_price_rials
            need -= n
        if need:
            raise InvalidInput(
                "items",
                f"{wanted.sku}: more returned than bought",
                f"{wanted.sku}: بیش از مقدار خریدشده",
                "اقلام",
            )
        done.append({"sku": wanted.sku, "quantity": wanted.quantity})
    if all(line.refunded_quantity == line.quantity for line in lines):
        return left, done  # the last items back: whatever is left of the total, to the rial
    # Items are priced before basket discounts: refund each at its share of what the basket cost.
    listed = sum(line.quantity * line.unit_price_rials for line in lines)
    amount = value * purchase.total_rials // listed if listed > purchase.total_rials else value
    return min(amount, left), done


async def _give_back_spent(
    j: ledger.Journal,
    account: ledger.AccountLike,
    purchase: Purchase,
    refund_id: int,
    points: int,
    program: tenants.ProgramSettings,
    now: datetime,
) -> None:
    """Return points spent on a purchase to the very lots they came from, keeping their expiry dates."""
    key, ref, reason = f"refund:{refund_id}:return", ("refund", refund_id), f"#{purchase.external_id}"
    if not purchase.redeemed_lots:  # imported history: the lots are unknown, so a new lot it is
        await ledger.credit_member(
            j, account, "redemption", points, "redeem_return", key, program, now, ref, reason
        )
        return
    spent = sum(n for _, n in purchase.redeemed_lots)
    keep, back = rules.split_allocations(purchase.redeemed_lots, spent - points)
    source = await ledger.system_account(j.session, j.tenant_id, "redemption", account.member_id)
    await j.post(source, account.id, points, "redeem_return", key, ref, reason)
    # The tail of what was spent goes back; under allow_negative a debt is paid from it first.
    posted, held = j.totals(account)
    spendable = rules.lot_credit_after_debt(posted - held - points, points)
    await ledger.change_lots(j.session, rules.take_in_order(((lot, n) for lot, n in back), spendable), +1)
    purchase.redeemed_lots = keep


async def refund(session: AsyncSession, who: Principal, purchase_id: int, data: RefundCreate) -> RefundResult:
    """Return (part of) a purchase: take back earned points and give back spent ones, in proportion.

    Shares are computed on the cumulative refunded amount, so refunding in parts ends exactly where one
    full refund would. When earned points were already spent, the programme's ``refund_policy`` decides:
    ``within_balance`` takes back what the member still has and records the rest as unrecovered;
    ``allow_negative`` takes it all and lets the balance go below zero (future earnings pay it back).
    """
    now = utcnow()
    purchase = await find(session, who.tenant_id, purchase_id)
    program = await tenants.program_settings(session, who.tenant_id)
    account = await ledger.lock_member_account(session, who.tenant_id, purchase.member_id)
    await session.refresh(purchase)  # re-read under the member's lock: another refund may have finished
    left = purchase.total_rials - purchase.refunded_rials
    if left <= 0:
        raise InvalidState("the purchase is already fully refunded", "این خرید قبلاً کامل مرجوع شده است")
    amount, items = await _refund_amount(session, purchase, data)
    if amount > left:
        raise InvalidInput(
            "amount_rials",
            "only {left} is left to refund",
            "فقط {left} قابل مرجوع است",
            "مبلغ مرجوعی",
            left=Money(left),
        )
    cumulative = purchase.refunded_rials + amount
    reverse_due = rules.proportional_due(
        purchase.points_earned, cumulative, purchase.total_rials, purchase.points_reversed
    )
    bonus_due = programme_awards.refund_bonus_due(
        await programme_awards.bonus_of(session, purchase.id),
        purchase.refunded_rials,
        cumulative,
        purchase.total_rials,
    )
    return_due = rules.proportional_due(
        purchase.points_redeemed, cumulative, purchase.total_rials, purchase.points_returned
    )
    # The points were worth what they were worth on the day of the sale, whatever the programme says now.
    point_value = purchase.discount_rials // purchase.points_redeemed if purchase.points_redeemed else 0
    # The coupon's discount was never paid, so it is not paid back either: its share of each refund,
    # computed on the cumulative amount so parts add up to the whole.
    coupon_rials = await coupons.discount_of(session, purchase.id)
    coupon_share = (
        coupon_rials * cumulative // purchase.total_rials
        - coupon_rials * purchase.refunded_rials // purchase.total_rials
    )
    # The reward's discount likewise: it was never paid. The reward itself stays used — it was the
    # member's, spent on this sale — and a refund pays back only what was paid.
    reward_share = _share(
        purchase.reward_discount_rials, purchase.refunded_rials, cumulative, purchase.total_rials
    )
    # Stored value goes back to where it came from, in the same cumulative proportion; the cashback the
    # purchase earned is taken back the same way.
    wallet_due = _share(purchase.wallet_rials, purchase.refunded_rials, cumulative, purchase.total_rials)
    card_due = _share(purchase.gift_card_rials, purchase.refunded_rials, cumulative, purchase.total_rials)
    cashback_due = _share(
        await programme_awards.cashback_of(session, purchase.id),
        purchase.refunded_rials,
        cumulative,
        purchase.total_rials,
    )
    purse = (
        await wallet.open_wallet(session, who.tenant_id, purchase.member_id, create=False)
        if wallet_due or cashback_due
        else None
    )
    record = Refund(
        tenant_id=who.tenant_id,
        purchase_id=purchase.id,
        amount_rials=amount,
        items=items,
        points_returned=return_due,
        cash_refund_rials=amount
        - return_due * point_value
        - coupon_share
        - reward_share
        - wallet_due
        - card_due,
        wallet_returned_rials=wallet_due,
        gift_card_returned_rials=card_due,
        reason=data.reason,
        created_at=now,
    )
    session.add(record)
    await session.flush()

    reversed_now = 0
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        receipt = f"#{purchase.external_id}"
        if wallet_due and purse is not None:
            await _give_back_wallet(j, purse, purchase, record.id, wallet_due)
        if card_due and purchase.gift_card_id is not None:
            await gift_cards.give_back(
                j, purchase.gift_card_id, card_due, purchase.member_id, record.id, receipt
            )
        if cashback_due and purse is not None:
            record.cashback_reversed_rials = await wallet.take_back(
                j,
                purse,
                cashback_due,
                "issuance",
                "cashback_reversal",
                f"refund:{record.id}:cashback",
                ("refund", record.id),
                receipt,
                first_purchase=purchase.id,
            )
        if return_due:
            await _give_back_spent(j, account, purchase, record.id, return_due, program, now)
        due = reverse_due + bonus_due  # campaign bonus points go back in the same proportion
        if due:
            lots = await ledger.all_lots(session, account.id, first_purchase=purchase.id)
            holding = sum(n for _, n in lots)
            await ledger.change_lots(session, rules.take_in_order(lots, due), -1)
            if program.refund_policy == "allow_negative":
                reversed_now = due
            else:
                reversed_now = min(due, holding)
                if due > holding:
                    reversed_now += await ledger.shrink_holds(j, account, due - holding, now)
            # Earned points first, then the bonus, each as its own transfer.
            earned_back = min(reversed_now, reverse_due)
            for code, points, suffix in (
                ("earn_reversal", earned_back, "reverse"),
                ("bonus_reversal", reversed_now - earned_back, "reverse_bonus"),
            ):
                if points:
                    await ledger.debit_member(
                        j,
                        account,
                        "issuance",
                        points,
                        code,
                        f"refund:{record.id}:{suffix}",
                        ("refund", record.id),
                        f"#{purchase.external_id}",
                    )
        # Stamps go back under the same member lock; an unused reward they completed is cancelled.
        removed = await stamp_returns.after_refund(
            j, account, purchase, record.id, cumulative, bool(items), now
        )
    record.points_reversed = reversed_now
    record.points_unrecovered = reverse_due + bonus_due - reversed_now
    if coupon_rials and cumulative == purchase.total_rials:
        await coupons.give_back(session, purchase.id, now)  # only a whole refund frees the code
    purchase.refunded_rials = cumulative
    purchase.points_reversed += reverse_due
    purchase.points_returned += return_due
    await session.flush()
    return RefundResult(
        id=record.id,
        purchase_id=purchase.id,
        amount_rials=amount,
        cash_refund_rials=record.cash_refund_rials,
        points_reversed=reversed_now,
        points_unrecovered=record.points_unrecovered,
        points_returned=return_due,
        stamps=removed,
        balance=await member_points.points_balance(session, account, now, j),
        wallet_returned_rials=wallet_due,
        gift_card_returned_rials=card_due,
        cashback_reversed_rials=record.cashback_reversed_rials,
        wallet=await wallet.balance(session, purse, now, j) if purse is not None else None,
    )


async def preview_refund(
    session: AsyncSession, who: Principal, purchase_id: int, data: RefundCreate
) -> RefundResult:
    """What :func:`refund` would do with this request — the money back by where it goes, the points taken
    back and given back, the stamps — without doing it: the refund itself runs inside a savepoint that is
    then rolled back, so the preview is the refund's own arithmetic and cannot drift from it. Refuses what
    the refund would refuse. (Its ``id`` names nothing.)"""
    savepoint = await session.begin_nested()
    try:
        result = await refund(session, who, purchase_id, data)
    finally:
        await savepoint.rollback()
        session.expire_all()
    return result


def _share(whole: int, refunded_before: int, refunded_after: int, total: int) -> int:
    """A refund's part of ``whole``: the cumulative share less what earlier refunds took, so parts add up."""
    return rules.proportional_due(
        whole, refunded_after, total, rules.proportional_due(whole, refunded_before, total, 0)
    )


async def _give_back_wallet(
    j: ledger.Journal, purse: wallet.Wallet, purchase: Purchase, refund_id: int, rials: int
) -> None:
    """Pay wallet rials back to the very lots they came from, keeping their expiry dates."""
    await wallet.credit_back(
        j,
        purse,
        rials,
        "wallet_return",
        f"refund:{refund_id}:wallet",
        ("refund", refund_id),
        f"#{purchase.external_id}",
    )
    lots = purchase.wallet_lots or []
    keep, back = rules.split_allocations(lots, sum(n for _, n in lots) - rials)
    await ledger.change_lots(j.session, back, +1)
    purchase.wallet_lots = keep
