"""The arithmetic of a sale's bill, pure: its time, what the reward, the coupon and points take off, what
the wallet and a gift card pay, the points it earns, and the facts campaigns look at.
"""

from __future__ import annotations

from datetime import datetime

from bashgah.core.errors import InvalidInput, Money
from bashgah.ledger import rules
from bashgah.programme.conditions import Line
from bashgah.programme.facts import Sale
from bashgah.purchases.schemas import (
    PurchaseCreate,
)
from bashgah.rewards import till as rewards
from bashgah.tenants import service as tenants


def sale_time(data: PurchaseCreate, now: datetime) -> datetime:
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


def basket_rials(data: PurchaseCreate, reward: rewards.OnSale | None) -> int:
    """The total less the reward: what the coupon, the points, campaigns and stamp cards see."""
    basket = data.total_rials - (reward.discount_rials if reward else 0)
    if basket <= 0:
        raise InvalidInput("reward", "covers the whole total", "همهٔ مبلغ خرید را می‌پوشاند", "کد جایزه")
    return basket


def discounted(
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


def base_points(program: tenants.ProgramSettings, base_rials: int) -> int:
    """Points on ``base_rials`` before any tier multiplier."""
    return rules.points_for(base_rials, program.earn_points, program.earn_per_rials, program.rounding)


def earned(program: tenants.ProgramSettings, base_rials: int, multiplier_pct: int) -> int:
    """Base points on ``base_rials``, times the member's tier multiplier (in percent)."""
    return base_points(program, base_rials) * multiplier_pct // 100


def card_rials(data: PurchaseCreate, card_balance: int, paid: int) -> int:
    """What the gift card pays: the amount asked for, or as much as the card and the bill allow."""
    if data.gift_card is None:
        return 0
    if data.gift_card_rials is not None:
        return data.gift_card_rials
    return max(0, min(card_balance, paid - data.wallet_rials))


def check_stored_value(wallet_rials: int, card_rials: int, paid: int) -> None:
    if wallet_rials + card_rials > paid:
        raise InvalidInput(
            "wallet_rials" if wallet_rials else "gift_card_rials",
            "the wallet and gift card ({stored}) pay more than is left to pay ({paid})",
            "پرداخت از کیف پول و کارت هدیه ({stored}) از مبلغ قابل پرداخت ({paid}) بیشتر است",
            "پرداخت از اعتبار",
            stored=Money(wallet_rials + card_rials),
            paid=Money(paid),
        )


def sale_facts(
    data: PurchaseCreate,
    branch_id: int,
    paid: int,
    earned: int,
    at: datetime,
    multiplier_pct: int,
    basket: int,
) -> Sale:
    return Sale(
        branch_id=branch_id,
        total_rials=basket,
        paid_rials=paid,
        base_points=earned,
        lines=tuple(Line(i.sku, i.category, i.brand, i.quantity, i.unit_price_rials) for i in data.items),
        payment_method=data.payment_method,
        at=at,
        earn_multiplier_pct=multiplier_pct,
    )
