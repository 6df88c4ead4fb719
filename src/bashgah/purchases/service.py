"""Purchases from tills and web shops: earn, spend points as a discount, refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import DuplicateReceipt, InvalidInput, InvalidState, NotFound
from bashgah.coupons import service as coupons
from bashgah.ledger import member_points, rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Branch, Purchase, PurchaseItem, Refund, utcnow
from bashgah.programme import service as programme
from bashgah.programme.engine import Line
from bashgah.programme.schemas import CampaignApplied, ExamineResult
from bashgah.purchases.schemas import (
    MemberRef,
    PurchaseCreate,
    PurchaseRead,
    PurchaseResult,
    RefundCreate,
    RefundResult,
)
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers


def _insert_purchase(dialect: Any) -> Any:
    # A taken receipt number inserts nothing instead of failing: the transaction stays usable and the
    # answer is a clear duplicate_receipt, with no SELECT beforehand.
    return (
        dialect.insert(_purchases)
        .on_conflict_do_nothing(index_elements=["tenant_id", "branch_id", "external_id"])
        .returning(_purchases.c.id)
    )


_purchases = cast(Table, Purchase.__table__)
_INSERT_PURCHASE = {"postgresql": _insert_purchase(postgresql), "sqlite": _insert_purchase(sqlite)}


async def lock_member(
    session: AsyncSession, tenant_id: int, ref: MemberRef
) -> tuple[members.MemberStatus, ledger.LockedAccount]:
    """The member a till names by id, phone or card, with their points account locked."""
    return await members.lock(session, tenant_id, ref.id, ref.phone, ref.card)


async def record(session: AsyncSession, who: Principal, data: PurchaseCreate) -> PurchaseResult:
    """Record a sale: spend the requested points as a discount, then earn on what was paid.

    The hot path of the whole product, so it is written for few round trips: cached programme, branch
    and key; member and account lock in one query; Core inserts; balances written once by the journal.
    """
    now = utcnow()
    program = await tenants.program_settings(session, who.tenant_id)
    active = await programme.active_for(session, who.tenant_id)
    branch_id = await tenants.branch_id_for_sale(session, who.tenant_id, data.branch, who.branch_id)
    member, account = await lock_member(session, who.tenant_id, data.member)
    members.ensure_active(member)
    multiplier_pct = await tiers.earn_multiplier_pct(session, who.tenant_id, member.id)
    coupon = None
    if data.coupon is not None:  # the code's row is locked after the member's account, like budgets
        coupon = await coupons.spend(session, who.tenant_id, data.coupon, member.id, data.total_rials, now)
    coupon_rials = coupon.discount_rials if coupon else 0
    discount, paid, earned = _priced(program, data, multiplier_pct, coupon_rials)
    available_at = rules.available_after(now, program.pending_days)
    occurred_at = data.occurred_at or now
    receipt = f"#{data.external_id}"
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        spent_from: list[tuple[int, int]] = []
        if data.redeem_points:
            await ledger.release_lapsed_holds(j, account, now)
            spent_from = await ledger.take_spendable(session, account, data.redeem_points, now)
        connection = await session.connection()
        purchase_id = (
            await connection.execute(
                _INSERT_PURCHASE[connection.dialect.name],
                {
                    "tenant_id": who.tenant_id,
                    "branch_id": branch_id,
                    "member_id": member.id,
                    "external_id": data.external_id,
                    "total_rials": data.total_rials,
                    "discount_rials": discount,
                    "points_earned": earned,
                    "points_redeemed": data.redeem_points,
                    "available_at": available_at,
                    "occurred_at": occurred_at,
                    "refunded_rials": 0,
                    "points_reversed": 0,
                    "points_returned": 0,
                    "redeemed_lots": [list(p) for p in spent_from] if spent_from else None,
                    "created_at": now,
                },
            )
        ).scalar()
        if purchase_id is None:  # the receipt number is already taken at this branch
            raise DuplicateReceipt(data.external_id)
        if coupon is not None:
            await coupons.record_use(session, who.tenant_id, coupon, member.id, purchase_id, now)
        if data.items:
            await connection.execute(
                insert(PurchaseItem),
                [
                    {
                        "purchase_id": purchase_id,
                        "sku": item.sku,
                        "category": item.category,
                        "quantity": item.quantity,
                        "unit_price_rials": item.unit_price_rials,
                        "unit_cost_rials": item.unit_cost_rials,
                        "refunded_quantity": 0,
                    }
                    for item in data.items
                ],
            )
        if data.redeem_points:
            await ledger.debit_member(
                j,
                account,
                "redemption",
                data.redeem_points,
                "redeem",
                f"purchase:{purchase_id}:redeem",
                ("purchase", purchase_id),
                receipt,
            )
        if earned:
            await ledger.credit_member(
                j,
                account,
                "issuance",
                earned,
                "earn",
                f"purchase:{purchase_id}:earn",
                program,
                now,
                ref=("purchase", purchase_id),
                reason=receipt,
                pending_days=program.pending_days,
                purchase_id=purchase_id,
            )
        applied: list[CampaignApplied] = []
        if active.purchase:
            sale = _sale(data, branch_id, paid, earned, occurred_at, multiplier_pct)
            applied = await programme.apply_to_purchase(
                j, account, active, member.id, purchase_id, sale, program, now
            )
        # Read the new balance before the journal writes the system accounts' totals, so their row
        # locks are held for as short a time as possible.
        balance = await member_points.points_balance(session, account, now, j)
    upgraded = await tiers.after_purchase(session, who.tenant_id, member.id, who.actor)
    return PurchaseResult(
        id=purchase_id,
        external_id=data.external_id,
        branch=data.branch or (await tenants.get_branch(session, who.tenant_id, branch_id)).code,
        member_id=member.id,
        total_rials=data.total_rials,
        discount_rials=discount,
        coupon_discount_rials=coupon_rials,
        paid_rials=paid,
        points_earned=earned,
        points_available_at=available_at,
        points_redeemed=data.redeem_points,
        refunded_rials=0,
        occurred_at=occurred_at,
        points_bonus=sum(a.points for a in applied),
        campaigns=applied,
        tier_upgrade=upgraded.code if upgraded else None,
        balance=balance,
    )


def _priced(
    program: tenants.ProgramSettings, data: PurchaseCreate, multiplier_pct: int = 100, coupon_rials: int = 0
) -> tuple[int, int, int]:
    """(discount, paid, base points) of a sale: the coupon comes off first, points spent become a
    discount on what is left, points are earned on the rest, times the member's tier multiplier (in
    percent)."""
    discount = data.redeem_points * program.point_value_rials
    if discount > data.total_rials - coupon_rials:
        raise InvalidInput(
            "redeem_points",
            f"the discount ({discount} rials) is more than the total",
            f"تخفیف ({discount} ریال) از مبلغ خرید بیشتر است",
            "امتیاز مصرفی",
        )
    paid = data.total_rials - coupon_rials - discount
    base = rules.points_for(paid, program.earn_points, program.earn_per_rials, program.rounding)
    return discount, paid, base * multiplier_pct // 100


def _sale(
    data: PurchaseCreate, branch_id: int, paid: int, earned: int, at: datetime, multiplier_pct: int
) -> programme.Sale:
    return programme.Sale(
        branch_id=branch_id,
        total_rials=data.total_rials,
        paid_rials=paid,
        base_points=earned,
        lines=tuple(Line(i.sku, i.category, i.brand, i.quantity, i.unit_price_rials) for i in data.items),
        payment_method=data.payment_method,
        at=at,
        earn_multiplier_pct=multiplier_pct,
    )


async def examine(session: AsyncSession, who: Principal, data: PurchaseCreate, lang: str) -> ExamineResult:
    """What ``record`` would award for this sale and why, without writing anything."""
    program = await tenants.program_settings(session, who.tenant_id)
    branch_id = await tenants.branch_id_for_sale(session, who.tenant_id, data.branch, who.branch_id)
    member = await programme.find_member(session, who.tenant_id, data.member)
    members.ensure_active(member)
    multiplier_pct = await tiers.earn_multiplier_pct(session, who.tenant_id, member.id)
    coupon_rials = 0
    if data.coupon is not None:
        coupon_rials = await coupons.would_discount(
            session, who.tenant_id, data.coupon, member.id, data.total_rials
        )
    _, paid, earned = _priced(program, data, multiplier_pct, coupon_rials)
    sale = _sale(data, branch_id, paid, earned, data.occurred_at or utcnow(), multiplier_pct)
    return await programme.examine(session, who, member, sale, lang)


def _read(p: Purchase, branch: Branch) -> PurchaseRead:
    return PurchaseRead(
        id=p.id,
        external_id=p.external_id,
        branch=branch.code,
        member_id=p.member_id,
        total_rials=p.total_rials,
        discount_rials=p.discount_rials,
        paid_rials=p.total_rials - p.discount_rials,
        points_earned=p.points_earned,
        points_available_at=p.available_at,
        points_redeemed=p.points_redeemed,
        refunded_rials=p.refunded_rials,
        occurred_at=p.occurred_at,
    )


async def get(session: AsyncSession, who: Principal, purchase_id: int) -> PurchaseRead:
    purchase = await session.scalar(
        select(Purchase).where(Purchase.tenant_id == who.tenant_id, Purchase.id == purchase_id)
    )
    if purchase is None:
        raise NotFound("Purchase", "خرید")
    branch = await tenants.get_branch(session, who.tenant_id, purchase.branch_id)
    applied = await programme.applied_to(session, purchase.id)
    read = _read(purchase, branch)
    coupon_rials = await coupons.discount_of(session, purchase.id)
    return read.model_copy(
        update={
            "points_bonus": sum(a.points for a in applied),
            "campaigns": applied,
            "coupon_discount_rials": coupon_rials,
            "paid_rials": read.paid_rials - coupon_rials,
        }
    )


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
    purchase = await session.scalar(
        select(Purchase).where(Purchase.tenant_id == who.tenant_id, Purchase.id == purchase_id)
    )
    if purchase is None:
        raise NotFound("Purchase", "خرید")
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
            f"only {left} rials are left to refund",
            f"فقط {left} ریال قابل مرجوع است",
            "مبلغ مرجوعی",
        )
    cumulative = purchase.refunded_rials + amount
    reverse_due = rules.proportional_due(
        purchase.points_earned, cumulative, purchase.total_rials, purchase.points_reversed
    )
    bonus_due = programme.refund_bonus_due(
        await programme.bonus_of(session, purchase.id),
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
    record = Refund(
        tenant_id=who.tenant_id,
        purchase_id=purchase.id,
        amount_rials=amount,
        items=items,
        points_returned=return_due,
        cash_refund_rials=amount - return_due * point_value - coupon_share,
        reason=data.reason,
        created_at=now,
    )
    session.add(record)
    await session.flush()

    reversed_now = 0
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
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
        balance=await member_points.points_balance(session, account, now, j),
    )


async def find_by_receipt(session: AsyncSession, who: Principal, external_id: str) -> int:
    """The id of the purchase with this receipt number — at the caller's branch when they have one."""
    query = select(Purchase.id).where(
        Purchase.tenant_id == who.tenant_id, Purchase.external_id == external_id.strip()
    )
    if who.branch_id is not None:
        query = query.where(Purchase.branch_id == who.branch_id)
    found = (await session.scalars(query.order_by(Purchase.id.desc()).limit(1))).first()
    if found is None:
        raise NotFound("Purchase", "خرید", detail=external_id.strip()[:64])
    return found


async def recent_of_member(
    session: AsyncSession, who: Principal, member_id: int, limit: int = 5
) -> list[PurchaseRead]:
    """A member's latest purchases, newest first (what a till shows to pick one for a return)."""
    rows = await session.execute(
        select(Purchase, Branch)
        .join(Branch, Branch.id == Purchase.branch_id)
        .where(Purchase.tenant_id == who.tenant_id, Purchase.member_id == member_id)
        .order_by(Purchase.id.desc())
        .limit(limit)
    )
    return [_read(p, b) for p, b in rows]
