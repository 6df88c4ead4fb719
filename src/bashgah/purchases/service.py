"""Purchases from tills and web shops: a sale earns points, spends them as a discount, uses a reward,
a coupon, the wallet or a gift card, and runs the campaigns and stamp cards; and its preview (examine).

The arithmetic of the bill is in ``purchases.pricing``, returns in ``purchases.refunds`` and reads in
``purchases.reads``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import DuplicateReceipt
from bashgah.coupons import service as coupons
from bashgah.giftcards import service as gift_cards
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Member, Purchase, PurchaseItem, utcnow
from bashgah.points import service as member_points
from bashgah.programme import awards as programme_awards
from bashgah.programme import campaigns as programme
from bashgah.programme import examine as programme_examine
from bashgah.programme.engine import StampGrant
from bashgah.programme.schemas import CampaignApplied, ExamineResult, GiftGiven
from bashgah.purchases import pricing
from bashgah.purchases.schemas import (
    MemberRef,
    PurchaseCreate,
    PurchaseResult,
)
from bashgah.rewards import till as rewards
from bashgah.stamps import cards as stamp_cards
from bashgah.stamps import earning as stamp_earning
from bashgah.stamps import reading as stamp_reading
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
    return await members.lock(session, tenant_id, ref.id, ref.mobile, ref.card)


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
    by, value = members.naming(ref.id, ref.mobile, ref.card)
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
    occurred_at = pricing.sale_time(data, now)
    program = await tenants.program_settings(session, who.tenant_id)
    active = await programme.active_for(session, who.tenant_id)
    cards = await stamp_cards.active_for(session, who.tenant_id)
    branch_id = await tenants.branch_id_for_sale(session, who.tenant_id, data.branch, who.branch_id)
    locked = await _lock_for_sale(session, who.tenant_id, data.member, active, now)
    member, account = locked.member, locked.account
    members.ensure_active(member)
    reward = await _reward(session, who.tenant_id, member.id, data, lang, now, use=True)
    basket = pricing.basket_rials(data, reward)
    coupon = None
    if data.coupon is not None:  # the code's row is locked after the member's account, like budgets
        coupon = await coupons.spend(session, who.tenant_id, data.coupon, member.id, basket, now)
    coupon_rials = coupon.discount_rials if coupon else 0
    discount, paid = pricing.discounted(program, data, coupon_rials, basket)
    # Stored value pays part of what is left: the wallet's row, then the card's, locked after the member's.
    purse = (
        await wallet.open_wallet(session, who.tenant_id, member.id, create=False)
        if data.wallet_rials
        else None
    )
    card = (
        await gift_cards.lock_usable(session, who.tenant_id, data.gift_card, now) if data.gift_card else None
    )
    card_rials = pricing.card_rials(data, card.balance if card else 0, paid)
    pricing.check_stored_value(data.wallet_rials, card_rials, paid)
    earn_base = paid if program.earn_on_stored_value else paid - data.wallet_rials - card_rials
    standing = tiers.Standing(member.level_id, member.tier_locked, locked.measured)
    tier = await tiers.for_sale(
        session,
        who.tenant_id,
        member.id,
        standing,
        now,
        occurred_at,
        paid,
        pricing.base_points(program, earn_base),
    )
    multiplier_pct = tier.multiplier_pct
    earned = pricing.earned(program, earn_base, multiplier_pct)
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
        sale = pricing.sale_facts(data, branch_id, earn_base, earned, occurred_at, multiplier_pct, basket)
        if active.purchase:
            applied, grants, gifts = await programme_awards.apply_to_purchase(
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
            earned_stamps = await stamp_earning.earn_for_purchase(
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


async def examine(session: AsyncSession, who: Principal, data: PurchaseCreate, lang: str) -> ExamineResult:
    """What ``record`` would award for this sale and why, and what each discount takes off, without
    writing anything. A reward code is refused as the sale would refuse it; a coupon it would refuse
    takes nothing off."""
    now = utcnow()
    program = await tenants.program_settings(session, who.tenant_id)
    branch_id = await tenants.branch_id_for_sale(session, who.tenant_id, data.branch, who.branch_id)
    member = await programme_examine.find_member(session, who.tenant_id, data.member)
    members.ensure_active(member)
    reward = await _reward(session, who.tenant_id, member.id, data, lang, now, use=False)
    basket = pricing.basket_rials(data, reward)
    coupon_rials = 0
    if data.coupon is not None:
        coupon_rials = await coupons.would_discount(session, who.tenant_id, data.coupon, member.id, basket)
    discount, paid = pricing.discounted(program, data, coupon_rials, basket)
    card_rials = 0
    if data.gift_card is not None:
        card_rials = pricing.card_rials(
            data, (await gift_cards.get(session, who, data.gift_card)).balance_rials, paid
        )
    pricing.check_stored_value(data.wallet_rials, card_rials, paid)
    base = paid if program.earn_on_stored_value else paid - data.wallet_rials - card_rials
    # A preview may ask about any moment (a campaign next Thursday evening); only recording refuses one
    # ahead of the clock.
    at = data.occurred_at or now
    # The same level as the sale would earn at (a sale crossing a threshold earns at the new level).
    tier = await tiers.for_sale(
        session, who.tenant_id, member.id, None, now, at, paid, pricing.base_points(program, base)
    )
    multiplier_pct = tier.multiplier_pct
    earned = pricing.earned(program, base, multiplier_pct)
    sale = pricing.sale_facts(data, branch_id, base, earned, at, multiplier_pct, basket)
    result = await programme_examine.examine(session, who, member, sale, lang)
    result.stamps = await stamp_reading.preview(
        session, who.tenant_id, member.id, sale.lines, basket, sale.at, lang
    )
    result.total_rials = data.total_rials
    result.reward_name = reward.name if reward else None
    result.reward_discount_rials = reward.discount_rials if reward else 0
    result.coupon_discount_rials = coupon_rials
    result.points_discount_rials = discount
    result.due_rials = paid
    result.wallet_rials = data.wallet_rials
    result.gift_card_rials = card_rials
    return result
