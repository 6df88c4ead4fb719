"""Purchases from tills and web shops: earn, spend points as a discount, refunds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import DuplicateReceipt, InvalidInput, InvalidState, Money, NotFound
from bashgah.core.normalize import normalize_reference
from bashgah.coupons import service as coupons
from bashgah.giftcards import service as gift_cards
from bashgah.ledger import member_points, rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Branch, Member, Purchase, PurchaseItem, Refund, Staff, Tenant, utcnow
from bashgah.programme import service as programme
from bashgah.programme.engine import Line, StampGrant
from bashgah.programme.schemas import CampaignApplied, ExamineResult, GiftGiven
from bashgah.purchases.schemas import (
    MemberRef,
    PurchaseCreate,
    PurchaseRead,
    PurchaseResult,
    RefundCreate,
    RefundRead,
    RefundResult,
)
from bashgah.rewards import service as rewards
from bashgah.stamps import service as stamps
from bashgah.stamps.schemas import StampsEarned
from bashgah.tenants import service as tenants
from bashgah.tiers import rules as tier_rules
from bashgah.tiers import service as tiers
from bashgah.wallet import service as wallet
from bashgah.wallet.errors import InsufficientWallet


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


_members = cast(Table, Member.__table__)
#: The sale's lock statements, by (how the member is named, tier metric or None, visits wanted): the
#: member's tier figure and purchase count ride on the lock's round trip instead of queries of their own.
_SALE_LOCKS: dict[tuple[str, str | None, bool], Select[Any]] = {}


def _sale_lock(by: str, metric: str | None, visits: bool) -> Select[Any]:
    key = (by, metric, visits)
    statement = _SALE_LOCKS.get(key)
    if statement is None:
        statement = members.lock_statement(by)
        if metric is not None:
            figure = tiers.measure(metric, _members.c.id, bindparam("since")).scalar_subquery()
            statement = statement.add_columns(figure)
        if visits:
            count = select(func.count(Purchase.id)).where(Purchase.member_id == _members.c.id)
            statement = statement.add_columns(count.scalar_subquery())
        _SALE_LOCKS[key] = statement
    return statement


@dataclass(frozen=True)
class SaleMember:
    member: members.MemberStatus
    account: ledger.LockedAccount
    #: The tier figure in the qualifying window before this sale (None without a ladder to climb).
    measured: int | None
    #: The member's purchases before this one (None when no campaign asks).
    visits: int | None


async def _lock_for_sale(
    session: AsyncSession, tenant_id: int, ref: MemberRef, active: programme.Active, now: datetime
) -> SaleMember:
    ladder = await tiers.ladder(session, tenant_id)
    climbing = ladder is not None and ladder.enabled and len(ladder.levels) > 1
    metric = ladder.metric if ladder is not None and climbing else None
    visits = active.purchase and active.needs.visits
    by, value = members.naming(ref.id, ref.phone, ref.card)
    params = {}
    if ladder is not None and metric is not None:
        params["since"] = tier_rules.window_start(now, ladder.window, ladder.window_months)
    found = await members.lock_with(session, tenant_id, by, value, _sale_lock(by, metric, visits), params)
    extra = list(found.extra)
    measured = int(extra.pop(0) or 0) if metric is not None else None
    count = int(extra.pop(0) or 0) if visits else None
    return SaleMember(found.member, found.account, measured, count)


async def record(
    session: AsyncSession, who: Principal, data: PurchaseCreate, lang: str = "fa"
) -> PurchaseResult:
    """Record a sale: spend the requested points as a discount, then earn on what was paid.

    The hot path of the whole product, so it is written for few round trips: cached programme, branch
    and key; member and account lock in one query; Core inserts; balances written once by the journal.
    """
    now = utcnow()
    occurred_at = _occurred_at(data, now)
    program = await tenants.program_settings(session, who.tenant_id)
    active = await programme.active_for(session, who.tenant_id)
    cards = await stamps.active_for(session, who.tenant_id)
    branch_id = await tenants.branch_id_for_sale(session, who.tenant_id, data.branch, who.branch_id)
    locked = await _lock_for_sale(session, who.tenant_id, data.member, active, now)
    member, account = locked.member, locked.account
    members.ensure_active(member)
    reward = await _reward(session, who.tenant_id, member.id, data, lang, now, use=True)
    basket = _basket(data, reward)
    coupon = None
    if data.coupon is not None:  # the code's row is locked after the member's account, like budgets
        coupon = await coupons.spend(session, who.tenant_id, data.coupon, member.id, basket, now)
    coupon_rials = coupon.discount_rials if coupon else 0
    discount, paid = _discounted(program, data, coupon_rials, basket)
    # Stored value pays part of what is left: the wallet's row, then the card's, locked after the member's.
    purse = (
        await wallet.open_wallet(session, who.tenant_id, member.id, create=False)
        if data.wallet_rials
        else None
    )
    card = (
        await gift_cards.lock_usable(session, who.tenant_id, data.gift_card, now) if data.gift_card else None
    )
    card_rials = _card_rials(data, card.balance if card else 0, paid)
    _check_stored_value(data.wallet_rials, card_rials, paid)
    earn_base = paid if program.earn_on_stored_value else paid - data.wallet_rials - card_rials
    standing = tiers.Standing(member.level_id, member.tier_locked, locked.measured)
    tier = await tiers.for_sale(
        session, who.tenant_id, member.id, standing, now, occurred_at, paid, _base_points(program, earn_base)
    )
    multiplier_pct = tier.multiplier_pct
    earned = _earned(program, earn_base, multiplier_pct)
    dates = rules.lot_dates(occurred_at, program.pending_days, program.expiry_mode, program.expiry_months)
    available_at = dates.available_at
    receipt = f"#{data.external_id}"
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        spent_from: list[tuple[int, int]] = []
        if data.redeem_points:
            await ledger.release_lapsed_holds(j, account, now)
            spent_from = await ledger.take_spendable(session, account, data.redeem_points, now)
        wallet_from: list[tuple[int, int]] = []
        if data.wallet_rials:
            if purse is None:
                raise InsufficientWallet(available=0, requested=data.wallet_rials)
            wallet_from = await wallet.take(session, purse, data.wallet_rials, now)
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
                    "wallet_rials": data.wallet_rials,
                    "wallet_lots": [list(p) for p in wallet_from] if wallet_from else None,
                    "gift_card_id": card.card.id if card else None,
                    "gift_card_rials": card_rials,
                    "reward_instance_id": reward.instance_id if reward else None,
                    "reward_discount_rials": reward.discount_rials if reward else 0,
                    "staff_id": who.staff_id,
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
        if purse is not None:
            await wallet.debit(
                j,
                purse,
                "redemption",
                data.wallet_rials,
                "wallet_spend",
                f"purchase:{purchase_id}:wallet",
                ("purchase", purchase_id),
                receipt,
            )
        if card is not None and card_rials:
            await gift_cards.spend(j, card, card_rials, member.id, purchase_id, receipt)
        # With campaigns, the earn is posted together with their bonus (one round trip, one lot).
        earn = ledger.Credit("issuance", earned, "earn", f"purchase:{purchase_id}:earn", receipt)
        if earned and not active.purchase:
            await ledger.credit_member_together(
                j,
                account,
                [earn],
                program,
                now,
                ("purchase", purchase_id),
                program.pending_days,
                purchase_id,
                earned_at=occurred_at,
            )
        applied: list[CampaignApplied] = []
        grants: list[StampGrant] = []
        gifts: list[GiftGiven] = []
        sale = _sale(data, branch_id, earn_base, earned, occurred_at, multiplier_pct, basket)
        if active.purchase:
            applied, grants, gifts = await programme.apply_to_purchase(
                j,
                account,
                active,
                member,
                purchase_id,
                sale,
                program,
                now,
                locked.visits,
                lang,
                earn if earned else None,
            )
        earned_stamps: list[StampsEarned] = []
        if cards:
            earned_stamps = await stamps.earn_for_purchase(
                j,
                account,
                program,
                cards,
                member.id,
                purchase_id,
                sale.lines,
                basket,
                grants,
                now,
                occurred_at,
                lang,
            )
        cashback = sum(a.cashback_rials for a in applied)
        # Read the new balance before the journal writes the system accounts' totals, so their row
        # locks are held for as short a time as possible.
        balance = await member_points.points_balance(session, account, now, j)
        if cashback and purse is None:
            purse = await wallet.open_wallet(session, who.tenant_id, member.id, create=False)
        wallet_balance = await wallet.balance(session, purse, now, j) if purse is not None else None
    # The level the sale was earned at is the level it leaves the member on (tiers.for_sale).
    upgraded = await tiers.after_purchase(session, who.tenant_id, member.id, who.actor, tier.standing)
    return PurchaseResult(
        id=purchase_id,
        external_id=data.external_id,
        branch=data.branch or (await tenants.get_branch(session, who.tenant_id, branch_id)).code,
        member_id=member.id,
        total_rials=data.total_rials,
        discount_rials=discount,
        coupon_discount_rials=coupon_rials,
        reward_code=reward.code if reward else None,
        reward_name=reward.name if reward else None,
        reward_discount_rials=reward.discount_rials if reward else 0,
        paid_rials=paid,
        points_earned=earned,
        points_available_at=available_at,
        points_redeemed=data.redeem_points,
        refunded_rials=0,
        occurred_at=occurred_at,
        points_bonus=sum(a.points for a in applied),
        campaigns=applied,
        tier_upgrade=upgraded.code if upgraded else None,
        stamps=earned_stamps,
        gifts=gifts,
        balance=balance,
        wallet_rials=data.wallet_rials,
        gift_card_rials=card_rials,
        cashback_rials=cashback,
        wallet=wallet_balance,
    )


def _occurred_at(data: PurchaseCreate, now: datetime) -> datetime:
    """The sale's own time, by the ledger's one rule (``rules.sale_time``); a sale far in the future is
    refused before anything is written."""
    at = rules.sale_time(data.occurred_at, now)
    if at is None:
        raise InvalidInput(
            "occurred_at",
            "the sale's time is in the future",
            "زمان خرید در آینده است",
            "زمان خرید",
        )
    return at


async def _reward(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    data: PurchaseCreate,
    lang: str,
    now: datetime,
    use: bool,
) -> rewards.OnSale | None:
    """The member's reward the sale names, marked used with the sale (``use``) or only looked at."""
    if data.reward is None:
        return None
    return await rewards.for_sale(
        session, tenant_id, member_id, data.reward, data.total_rials, lang, now, use
    )


def _basket(data: PurchaseCreate, reward: rewards.OnSale | None) -> int:
    """The total less the reward: what the coupon, the points, campaigns and stamp cards see."""
    basket = data.total_rials - (reward.discount_rials if reward else 0)
    if basket <= 0:
        raise InvalidInput("reward", "covers the whole total", "همهٔ مبلغ خرید را می‌پوشاند", "کد جایزه")
    return basket


def _discounted(
    program: tenants.ProgramSettings, data: PurchaseCreate, coupon_rials: int, basket: int
) -> tuple[int, int]:
    """(points discount, paid) of a sale: the reward, then the coupon come off the ``basket``, points spent
    become a discount on what is left; the rest is paid (in cash, by card, from the wallet or a gift
    card)."""
    discount = data.redeem_points * program.point_value_rials
    if discount > basket - coupon_rials:
        raise InvalidInput(
            "redeem_points",
            "the discount ({discount}) is more than the total",
            "تخفیف ({discount}) از مبلغ خرید بیشتر است",
            "امتیاز مصرفی",
            discount=Money(discount),
        )
    return discount, basket - coupon_rials - discount


def _base_points(program: tenants.ProgramSettings, base_rials: int) -> int:
    """Points on ``base_rials`` before any tier multiplier."""
    return rules.points_for(base_rials, program.earn_points, program.earn_per_rials, program.rounding)


def _earned(program: tenants.ProgramSettings, base_rials: int, multiplier_pct: int) -> int:
    """Base points on ``base_rials``, times the member's tier multiplier (in percent)."""
    return _base_points(program, base_rials) * multiplier_pct // 100


def _card_rials(data: PurchaseCreate, card_balance: int, paid: int) -> int:
    """What the gift card pays: the amount asked for, or as much as the card and the bill allow."""
    if data.gift_card is None:
        return 0
    if data.gift_card_rials is not None:
        return data.gift_card_rials
    return max(0, min(card_balance, paid - data.wallet_rials))


def _check_stored_value(wallet_rials: int, card_rials: int, paid: int) -> None:
    if wallet_rials + card_rials > paid:
        raise InvalidInput(
            "wallet_rials" if wallet_rials else "gift_card_rials",
            "the wallet and gift card ({stored}) pay more than is left to pay ({paid})",
            "پرداخت از کیف پول و کارت هدیه ({stored}) از مبلغ قابل پرداخت ({paid}) بیشتر است",
            "پرداخت از اعتبار",
            stored=Money(wallet_rials + card_rials),
            paid=Money(paid),
        )


def _sale(
    data: PurchaseCreate,
    branch_id: int,
    paid: int,
    earned: int,
    at: datetime,
    multiplier_pct: int,
    basket: int,
) -> programme.Sale:
    return programme.Sale(
        branch_id=branch_id,
        total_rials=basket,
        paid_rials=paid,
        base_points=earned,
        lines=tuple(Line(i.sku, i.category, i.brand, i.quantity, i.unit_price_rials) for i in data.items),
        payment_method=data.payment_method,
        at=at,
        earn_multiplier_pct=multiplier_pct,
    )


async def examine(session: AsyncSession, who: Principal, data: PurchaseCreate, lang: str) -> ExamineResult:
    """What ``record`` would award for this sale and why, and what each discount takes off, without
    writing anything. A reward code is refused as the sale would refuse it; a coupon it would refuse
    takes nothing off."""
    now = utcnow()
    program = await tenants.program_settings(session, who.tenant_id)
    branch_id = await tenants.branch_id_for_sale(session, who.tenant_id, data.branch, who.branch_id)
    member = await programme.find_member(session, who.tenant_id, data.member)
    members.ensure_active(member)
    reward = await _reward(session, who.tenant_id, member.id, data, lang, now, use=False)
    basket = _basket(data, reward)
    coupon_rials = 0
    if data.coupon is not None:
        coupon_rials = await coupons.would_discount(session, who.tenant_id, data.coupon, member.id, basket)
    discount, paid = _discounted(program, data, coupon_rials, basket)
    card_rials = 0
    if data.gift_card is not None:
        card_rials = _card_rials(
            data, (await gift_cards.get(session, who, data.gift_card)).balance_rials, paid
        )
    _check_stored_value(data.wallet_rials, card_rials, paid)
    base = paid if program.earn_on_stored_value else paid - data.wallet_rials - card_rials
    # A preview may ask about any moment (a campaign next Thursday evening); only recording refuses one
    # ahead of the clock.
    at = data.occurred_at or now
    # The same level as the sale would earn at (a sale crossing a threshold earns at the new level).
    tier = await tiers.for_sale(
        session, who.tenant_id, member.id, None, now, at, paid, _base_points(program, base)
    )
    multiplier_pct = tier.multiplier_pct
    earned = _earned(program, base, multiplier_pct)
    sale = _sale(data, branch_id, base, earned, at, multiplier_pct, basket)
    result = await programme.examine(session, who, member, sale, lang)
    result.stamps = await stamps.preview(session, who.tenant_id, member.id, sale.lines, basket, sale.at, lang)
    result.total_rials = data.total_rials
    result.reward_name = reward.name if reward else None
    result.reward_discount_rials = reward.discount_rials if reward else 0
    result.coupon_discount_rials = coupon_rials
    result.points_discount_rials = discount
    result.due_rials = paid
    result.wallet_rials = data.wallet_rials
    result.gift_card_rials = card_rials
    return result


def _read(p: Purchase, branch: Branch) -> PurchaseRead:
    return PurchaseRead(
        id=p.id,
        external_id=p.external_id,
        branch=branch.code,
        member_id=p.member_id,
        total_rials=p.total_rials,
        discount_rials=p.discount_rials,
        reward_discount_rials=p.reward_discount_rials,
        paid_rials=p.total_rials - p.reward_discount_rials - p.discount_rials,
        points_earned=p.points_earned,
        points_available_at=p.available_at,
        points_redeemed=p.points_redeemed,
        refunded_rials=p.refunded_rials,
        occurred_at=p.occurred_at,
        wallet_rials=p.wallet_rials,
        gift_card_rials=p.gift_card_rials,
    )


async def get(session: AsyncSession, who: Principal, purchase_id: int, lang: str = "fa") -> PurchaseRead:
    purchase = await session.scalar(
        select(Purchase).where(Purchase.tenant_id == who.tenant_id, Purchase.id == purchase_id)
    )
    if purchase is None:
        raise NotFound("Purchase", "خرید")
    branch = await tenants.get_branch(session, who.tenant_id, purchase.branch_id)
    applied = await programme.applied_to(session, purchase.id, lang)
    read = _read(purchase, branch)
    coupon_rials = await coupons.discount_of(session, purchase.id)
    reward = (
        await rewards.names_of(session, purchase.reward_instance_id, lang)
        if purchase.reward_instance_id is not None
        else None
    )
    return read.model_copy(
        update={
            "points_bonus": sum(a.points for a in applied),
            "cashback_rials": sum(a.cashback_rials for a in applied),
            "campaigns": applied,
            "coupon_discount_rials": coupon_rials,
            "paid_rials": read.paid_rials - coupon_rials,
            "reward_code": reward[0] if reward else None,
            "reward_name": reward[1] if reward else None,
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
            "only {left} is left to refund",
            "فقط {left} قابل مرجوع است",
            "مبلغ مرجوعی",
            left=Money(left),
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
        await programme.cashback_of(session, purchase.id),
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
        removed = await stamps.after_refund(j, account, purchase, record.id, cumulative, bool(items), now)
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


async def refunds_of(session: AsyncSession, who: Principal, purchase_id: int) -> list[RefundRead]:
    """The refunds recorded for a purchase of the caller's club, oldest first."""
    rows = await session.scalars(
        select(Refund)
        .where(Refund.tenant_id == who.tenant_id, Refund.purchase_id == purchase_id)
        .order_by(Refund.id)
    )
    return [
        RefundRead(
            id=r.id,
            purchase_id=r.purchase_id,
            amount_rials=r.amount_rials,
            cash_refund_rials=r.cash_refund_rials,
            points_reversed=r.points_reversed,
            points_unrecovered=r.points_unrecovered,
            points_returned=r.points_returned,
            wallet_returned_rials=r.wallet_returned_rials,
            gift_card_returned_rials=r.gift_card_returned_rials,
            cashback_reversed_rials=r.cashback_reversed_rials,
            reason=r.reason,
            created_at=r.created_at,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Receipt:
    """What a printed receipt tells besides the purchase: where, who rang it up, the club's portal and
    the refunds recorded for it."""

    purchase: PurchaseRead
    branch_name: str
    #: The cashier's name; None for a sale from the API, the importer or the CLI.
    cashier: str | None
    club_slug: str
    refunds: list[RefundRead]


async def receipt(session: AsyncSession, who: Principal, purchase_id: int, lang: str) -> Receipt:
    read = await get(session, who, purchase_id, lang)
    branch_id, staff_id = (
        await session.execute(select(Purchase.branch_id, Purchase.staff_id).where(Purchase.id == purchase_id))
    ).one()
    branch = await tenants.get_branch(session, who.tenant_id, branch_id)
    cashier = await session.scalar(select(Staff.full_name).where(Staff.id == staff_id)) if staff_id else None
    slug = await session.scalar(select(Tenant.slug).where(Tenant.id == who.tenant_id))
    return Receipt(
        purchase=read,
        branch_name=branch.name,
        cashier=cashier or None,
        club_slug=str(slug),
        refunds=await refunds_of(session, who, purchase_id),
    )


async def find_by_receipt(session: AsyncSession, who: Principal, external_id: str) -> int:
    """The id of the purchase with this receipt number — at the caller's branch when they have one."""
    number = normalize_reference(external_id)[:64]
    query = select(Purchase.id).where(Purchase.tenant_id == who.tenant_id, Purchase.external_id == number)
    if who.branch_id is not None:
        query = query.where(Purchase.branch_id == who.branch_id)
    found = (await session.scalars(query.order_by(Purchase.id.desc()).limit(1))).first()
    if found is None:
        raise NotFound("Purchase", "خرید", detail=number)
    return found


async def recent_of_member(
    session: AsyncSession, who: Principal, member_id: int, limit: int = 5, before: int | None = None
) -> list[PurchaseRead]:
    """A member's latest purchases, newest first (what a till shows to pick one for a return); ``before``
    (a purchase id) pages back to older ones."""
    query = (
        select(Purchase, Branch)
        .join(Branch, Branch.id == Purchase.branch_id)
        .where(Purchase.tenant_id == who.tenant_id, Purchase.member_id == member_id)
    )
    if before is not None:
        query = query.where(Purchase.id < before)
    rows = await session.execute(query.order_by(Purchase.id.desc()).limit(limit))
    return [_read(p, b) for p, b in rows]


@dataclass(frozen=True)
class PurchaseDetail:
    """A purchase as the console shows it: the figures, its lines and its returns, oldest first."""

    purchase: PurchaseRead
    items: list[PurchaseItem]
    refunds: list[Refund]


async def detail(session: AsyncSession, who: Principal, purchase_id: int) -> PurchaseDetail:
    read = await get(session, who, purchase_id)
    items = (
        await session.scalars(
            select(PurchaseItem).where(PurchaseItem.purchase_id == purchase_id).order_by(PurchaseItem.id)
        )
    ).all()
    returns = (
        await session.scalars(
            select(Refund)
            .where(Refund.tenant_id == who.tenant_id, Refund.purchase_id == purchase_id)
            .order_by(Refund.id)
        )
    ).all()
    return PurchaseDetail(read, list(items), list(returns))


async def purchases_of_refunds(
    session: AsyncSession, tenant_id: int, refund_ids: list[int]
) -> dict[int, int]:
    """Refund id → the purchase it returned (to link a statement's refund lines to their purchase)."""
    if not refund_ids:
        return {}
    rows = await session.execute(
        select(Refund.id, Refund.purchase_id).where(Refund.tenant_id == tenant_id, Refund.id.in_(refund_ids))
    )
    return {refund_id: purchase_id for refund_id, purchase_id in rows}
