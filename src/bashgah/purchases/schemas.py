from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bashgah.core.normalize import CleanText, normalize_reference
from bashgah.ledger.schemas import PointsBalance
from bashgah.members.schemas import MemberRef
from bashgah.programme.schemas import CampaignApplied, GiftGiven
from bashgah.stamps.schemas import StampsEarned, StampsRemoved
from bashgah.wallet.schemas import WalletBalance

__all__ = ["ExternalId", "MemberRef"]


def _reference(value: Any) -> Any:
    return normalize_reference(value) if isinstance(value, str) else value


#: A receipt, order or invoice number, in its one normalised form (``F-۱۰۰۱`` is ``F-1001``), so every
#: channel — API, till, importer, lookup — names the same sale the same way.
ExternalId = Annotated[str, BeforeValidator(_reference), Field(min_length=1, max_length=64)]


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    category: str | None = Field(None, max_length=64)
    #: Read by campaign rules (not stored with the item).
    brand: str | None = Field(None, max_length=64)
    quantity: int = Field(1, ge=1, le=100_000)
    unit_price_rials: int = Field(ge=0, le=10**13)
    #: What the item cost the shop, when known: the Pareto report's profit is computed from it.
    unit_cost_rials: int | None = Field(None, ge=0, le=10**13)


class PurchaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: MemberRef
    #: Branch code; may be left out with a branch-scoped key.
    branch: str | None = Field(None, max_length=64)
    #: The receipt or order number; unique per branch, compared after normalising its digits.
    external_id: ExternalId
    total_rials: int = Field(gt=0, le=10**13)
    items: list[ItemIn] = Field(default_factory=list, max_length=500)
    #: Points to spend on this purchase, turned into a discount at the programme's point value.
    redeem_points: int = Field(0, ge=0, le=10**9)
    #: How the member paid (``cash``, ``card``, ``wallet``…), for campaign rules; not stored.
    payment_method: str | None = Field(None, max_length=32)
    #: When the sale happened, with its UTC offset (``2026-03-20T23:30:00+03:30``); now when left out.
    occurred_at: AwareDatetime | None = None
    #: A coupon code: its discount comes off the total before points are spent and earned.
    coupon: str | None = Field(None, min_length=1, max_length=64)
    #: Rials to pay from the member's wallet (at most its available balance and what is left to pay).
    wallet_rials: int = Field(0, ge=0, le=10**13)
    #: A gift card paying (part of) the rest, and how much of it to use; left out: as much as the card
    #: and the bill allow.
    gift_card: str | None = Field(None, min_length=1, max_length=64)
    gift_card_rials: int | None = Field(None, gt=0, le=10**13)
    #: The code of a reward the member redeemed (``discount_amount`` or ``discount_percent`` take their
    #: discount off the total first; other kinds take nothing off): it is marked used with the sale.
    reward: str | None = Field(None, min_length=1, max_length=16)

    @model_validator(mode="after")
    def _card_for_amount(self) -> PurchaseCreate:
        if self.gift_card_rials is not None and self.gift_card is None:
            raise ValueError("gift_card_rials needs a gift_card code")
        return self


class PurchaseRead(BaseModel):
    id: int
    external_id: str
    branch: str
    member_id: int
    #: The total before any discount, as the till typed it.
    total_rials: int
    #: What the points spent on this purchase took off.
    discount_rials: int
    #: What the coupon took off; ``paid_rials`` is the total less the reward, the coupon and the points.
    coupon_discount_rials: int = 0
    #: The member's reward used on this sale (its code and name) and what it took off.
    reward_code: str | None = None
    reward_name: str | None = None
    reward_discount_rials: int = 0
    paid_rials: int
    points_earned: int
    points_available_at: datetime
    points_redeemed: int
    refunded_rials: int
    occurred_at: datetime
    #: Points campaigns gave on top of ``points_earned``, and the campaigns that gave them.
    points_bonus: int = 0
    campaigns: list[CampaignApplied] = Field(default_factory=list)
    #: Of ``paid_rials``: what the wallet and a gift card paid (the rest is cash or card).
    wallet_rials: int = 0
    gift_card_rials: int = 0
    #: Wallet cashback campaigns credited for this purchase.
    cashback_rials: int = 0


class PurchaseResult(PurchaseRead):
    #: The member's new tier level when this purchase lifted them to it (its code), else null.
    tier_upgrade: str | None = None
    #: Stamps this sale put on the member's stamp cards, and the cards it completed (reward codes).
    stamps: list[StampsEarned] = Field(default_factory=list)
    #: Coupons and rewards campaigns handed out with this sale ("20 % off your next visit").
    gifts: list[GiftGiven] = Field(default_factory=list)
    balance: PointsBalance
    #: The member's wallet after the sale, when the sale paid from it or credited cashback.
    wallet: WalletBalance | None = None


class RefundItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=100_000)


class RefundCreate(BaseModel):
    """Either an amount (part of the purchase total) or items; nothing means the whole rest."""

    model_config = ConfigDict(extra="forbid")

    amount_rials: int | None = Field(None, gt=0, le=10**13)
    items: list[RefundItem] | None = Field(None, min_length=1, max_length=500)
    reason: CleanText | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _not_both(self) -> RefundCreate:
        if self.amount_rials is not None and self.items is not None:
            raise ValueError("give amount_rials or items, not both")
        return self


class RefundFigures(BaseModel):
    """What a refund gave back and took back, as its answer and its record both show."""

    id: int
    purchase_id: int
    amount_rials: int
    cash_refund_rials: int
    points_reversed: int
    points_unrecovered: int
    points_returned: int


class RefundResult(RefundFigures):
    #: Stamps the return took back, per stamp card, and unused rewards it cancelled.
    stamps: list[StampsRemoved] = Field(default_factory=list)
    balance: PointsBalance
    #: Paid back to the wallet and the gift card (not part of ``cash_refund_rials``).
    wallet_returned_rials: int = 0
    gift_card_returned_rials: int = 0
    #: Cashback of this purchase taken back from the wallet (within what was left of it).
    cashback_reversed_rials: int = 0
    wallet: WalletBalance | None = None


class RefundRead(RefundFigures):
    """A refund as it was recorded."""

    wallet_returned_rials: int
    gift_card_returned_rials: int
    cashback_reversed_rials: int
    reason: str | None
    created_at: datetime
