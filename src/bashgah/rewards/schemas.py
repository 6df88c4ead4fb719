from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bashgah.core.normalize import CleanText
from bashgah.ledger.schemas import PointsBalance
from bashgah.wallet.schemas import WalletBalance

RewardKind = Literal[
    "discount_amount",
    "discount_percent",
    "free_product",
    "physical_gift",
    "partner_voucher",
    "free_shipping",
    "wallet_credit",
]


class RewardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_fa: CleanText = Field(min_length=1, max_length=200)
    name_en: CleanText = Field(min_length=1, max_length=200)
    kind: RewardKind
    cost_points: int = Field(gt=0, le=10**12)
    discount_rials: int | None = Field(default=None, gt=0, le=10**13)
    discount_percent: int | None = Field(default=None, gt=0, le=100)
    max_discount_rials: int | None = Field(default=None, gt=0, le=10**13)
    sku: str | None = Field(default=None, min_length=1, max_length=64)
    #: Rials a ``wallet_credit`` reward puts in the member's wallet at once.
    credit_rials: int | None = Field(default=None, gt=0, le=10**12)
    #: Level codes that may redeem it; empty is every member.
    tiers: list[str] = Field(default_factory=list, max_length=50)
    #: Null is no limit; a partner voucher's stock is the codes uploaded to its pool.
    stock: int | None = Field(default=None, ge=0, le=10**9)
    per_member_limit: int | None = Field(default=None, gt=0, le=10**6)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    active: bool = True

    @model_validator(mode="after")
    def _kind_fields(self) -> RewardCreate:
        if self.kind == "discount_amount" and self.discount_rials is None:
            raise ValueError("a discount_amount reward needs discount_rials")
        if self.kind == "discount_percent" and (
            self.discount_percent is None or self.max_discount_rials is None
        ):
            raise ValueError("a discount_percent reward needs discount_percent and max_discount_rials")
        if self.kind == "wallet_credit" and self.credit_rials is None:
            raise ValueError("a wallet_credit reward needs credit_rials")
        if self.kind == "free_product" and self.sku is None:
            raise ValueError("a free_product reward needs a sku")
        if self.kind == "physical_gift" and self.stock is None:
            raise ValueError("a physical_gift reward needs its stock")
        if self.kind == "partner_voucher" and self.stock is not None:
            raise ValueError("a partner_voucher's stock is the codes uploaded to its pool")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class RewardUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_fa: CleanText | None = Field(default=None, min_length=1, max_length=200)
    name_en: CleanText | None = Field(default=None, min_length=1, max_length=200)
    cost_points: int | None = Field(default=None, gt=0, le=10**12)
    tiers: list[str] | None = Field(default=None, max_length=50)
    stock: int | None = Field(default=None, ge=0, le=10**9)
    per_member_limit: int | None = Field(default=None, gt=0, le=10**6)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    active: bool | None = None


class VoucherUpload(BaseModel):
    """Partner codes: a list, or CSV text with the code in the first column (a ``code`` header is skipped)."""

    model_config = ConfigDict(extra="forbid")

    codes: list[str] = Field(default_factory=list, max_length=100_000)
    csv: str | None = Field(default=None, max_length=10_000_000)


class RewardRead(BaseModel):
    id: int
    name: str
    name_fa: str
    name_en: str
    kind: str
    cost_points: int
    discount_rials: int | None
    discount_percent: int | None
    max_discount_rials: int | None
    sku: str | None
    credit_rials: int | None = None
    tiers: list[str]
    stock: int | None
    per_member_limit: int | None
    valid_from: datetime
    valid_until: datetime | None
    active: bool
    created_at: datetime


class RewardOffer(BaseModel):
    """A reward open to a member now (level, stock, their limit), and how many more points it needs."""

    reward: RewardRead
    #: 0: the member can take it now.
    points_to_go: int


class RedemptionPreview(BaseModel):
    """What redeeming a reward would do, before it is done: the cost, and the points before and after."""

    reward: RewardRead
    available: int
    after: int


class RewardInstanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reward_id: int = Field(gt=0)


class RewardInstanceRead(BaseModel):
    id: int
    code: str
    reward_id: int
    reward_name: str
    kind: str
    member_id: int
    #: issued | used | expired | cancelled
    status: str
    points: int
    #: The partner's code of a partner voucher.
    partner_code: str | None
    sku: str | None
    expires_at: datetime | None
    used_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    #: The member's points after a redemption or a cancel.
    balance: PointsBalance | None = None
    #: For a ``wallet_credit`` reward: the member's wallet after the redemption or the cancel.
    wallet: WalletBalance | None = None
