"""The demo club's programme: what a chain store would set up on day one, through the same services
the API and the console call (and validated by the same schemas).

A tier ladder, four campaigns (weekend evenings, big baskets, a thank-you coupon on a first purchase,
a birthday-month bonus), a rewards catalogue (a discount, a free coffee, wallet credit), a coffee stamp
card, a Yalda coupon, a birthday gift, and one gift card — so every page of the console, the POS and
the member portal has something real to show.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import BatchCreate
from bashgah.giftcards import service as gift_cards
from bashgah.giftcards.schemas import GiftCardCreate
from bashgah.occasions import service as occasions
from bashgah.occasions.schemas import OccasionRuleCreate
from bashgah.programme import service as programme
from bashgah.programme.schemas import CampaignCreate
from bashgah.rewards import service as rewards
from bashgah.rewards.schemas import RewardCreate
from bashgah.stamps import service as stamps
from bashgah.stamps.schemas import StampCardCreate
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import TierConfigUpdate

#: Spend over a rolling 12 months; the thresholds fit the demo's six months of purchases.
LADDER: dict[str, Any] = {
    "metric": "spend",
    "window": "rolling",
    "window_months": 12,
    "downgrade": "one_down",
    "grace_days": 30,
    "levels": [
        {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0},
        {"code": "silver", "name_fa": "نقره‌ای", "name_en": "Silver", "threshold": 30_000_000,
         "earn_multiplier_pct": 110, "birthday_gift_points": 100},
        {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 80_000_000,
         "earn_multiplier_pct": 125, "birthday_gift_points": 300},
        {"code": "vip", "name_fa": "ویژه", "name_en": "VIP", "threshold": 200_000_000,
         "earn_multiplier_pct": 150, "birthday_gift_points": 1_000},
    ],
}  # fmt: skip


def _campaigns(thank_you_batch: int) -> list[dict[str, Any]]:
    return [
        {
            "name_fa": "پنجشنبه‌شب‌ها امتیاز دوبرابر",
            "name_en": "Double points on Thursday evenings",
            "schedule": {"weekdays": ["thursday"], "from_hour": 17, "to_hour": 23},
            "budget_points": 500_000,
            "rules": [{"key": "thursday-x2", "effects": [{"type": "points_multiplier", "factor": "2"}]}],
        },
        {
            "name_fa": "سبد بالای ۵۰۰٬۰۰۰ تومان: ۲۰۰ امتیاز هدیه",
            "name_en": "200 bonus points on baskets over 500,000 toman",
            "rules": [
                {
                    "key": "basket-5m",
                    "conditions": [{"type": "purchase_total", "min_rials": 5_000_000}],
                    "effects": [{"type": "fixed_bonus", "points": 200}],
                }
            ],
        },
        {
            "name_fa": "کد تخفیف خرید بعدی برای خرید اول",
            "name_en": "A next-visit coupon for a first purchase",
            "rules": [
                {
                    "key": "thank-you",
                    "conditions": [{"type": "first_purchase"}],
                    "effects": [{"type": "issue_coupon", "batch_id": thank_you_batch}],
                }
            ],
        },
        {
            "name_fa": "ماه تولد: ۱۰۰ امتیاز روی هر خرید",
            "name_en": "Birthday month: 100 points on every purchase",
            "limits": [{"per": "month", "awards": 3}],
            "rules": [
                {
                    "key": "birthday-month",
                    "conditions": [{"type": "birthday_month"}],
                    "effects": [{"type": "fixed_bonus", "points": 100}],
                }
            ],
        },
    ]


REWARDS: list[dict[str, Any]] = [
    {"name_fa": "۵۰٬۰۰۰ تومان تخفیف", "name_en": "50,000 toman off", "kind": "discount_amount",
     "cost_points": 500, "discount_rials": 500_000},
    {"name_fa": "قهوهٔ رایگان", "name_en": "A free coffee", "kind": "free_product", "cost_points": 150,
     "sku": "COFFEE"},
    {"name_fa": "۲۰٬۰۰۰ تومان اعتبار کیف پول", "name_en": "20,000 toman of wallet credit",
     "kind": "wallet_credit", "cost_points": 250, "credit_rials": 200_000},
    {"name_fa": "ساک خرید پارچه‌ای", "name_en": "A cloth shopping bag", "kind": "physical_gift",
     "cost_points": 300, "stock": 40},
    {"name_fa": "۱۰٪ تخفیف ویژهٔ طلایی‌ها", "name_en": "10 % off for gold members", "kind": "discount_percent",
     "cost_points": 800, "discount_percent": 10, "max_discount_rials": 2_000_000, "tiers": ["gold", "vip"]},
]  # fmt: skip

COFFEE_CARD: dict[str, Any] = {
    "name_fa": "کارت قهوه: ۹ بخر، دهمی مهمان ما",
    "name_en": "Coffee card: buy 9, the 10th is on us",
    "stamps_needed": 9,
    "earn": {"per": "unit", "items": {"skus": ["COFFEE"]}, "max_per_purchase": 3},
    "reward": {"kind": "free_product", "sku": "COFFEE"},
}


async def configure(session: AsyncSession, tenant_id: int) -> None:
    """Set the demo club's programme up (run once, when the club is made)."""
    owner = Principal(tenant_id=tenant_id, role="owner", branch_id=None, key_id=None)
    await tiers.configure(session, tenant_id, TierConfigUpdate.model_validate(LADDER))
    thank_you = await coupons.create_batch(
        session,
        tenant_id,
        BatchCreate.model_validate(
            {"name": "۲۰٪ خرید بعدی", "discount_type": "percent", "discount_value": 20,
             "max_discount_rials": 1_000_000, "count": 0}
        ),
    )  # fmt: skip
    await coupons.create_batch(
        session,
        tenant_id,
        BatchCreate.model_validate(
            {"name": "شب یلدا", "discount_type": "fixed", "discount_value": 300_000,
             "min_basket_rials": 3_000_000, "max_uses_per_member": 1, "code": "YALDA1405"}
        ),
    )  # fmt: skip
    for campaign in _campaigns(thank_you.id):
        await programme.create(session, owner, CampaignCreate.model_validate(campaign))
    for reward in REWARDS:
        await rewards.create(session, tenant_id, RewardCreate.model_validate(reward), "fa")
    await stamps.create(session, owner, StampCardCreate.model_validate(COFFEE_CARD))
    await occasions.create(
        session,
        tenant_id,
        OccasionRuleCreate(
            kind="birthday", name_fa="هدیهٔ تولد", name_en="Birthday gift", points=200, days_early=3
        ),
        "fa",
    )
    await gift_cards.issue(
        session,
        owner,
        GiftCardCreate.model_validate({"value_rials": 1_000_000, "code": "HEDIYE1405", "batch": "demo"}),
    )
