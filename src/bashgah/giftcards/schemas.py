from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from bashgah.members.schemas import MemberRef
from bashgah.wallet.schemas import WalletBalance

GiftCardStatus = Literal["active", "used_up", "expired", "cancelled"]


class GiftCardCreate(BaseModel):
    """One gift card (optionally with a chosen ``code``) or ``count`` cards with generated codes."""

    model_config = ConfigDict(extra="forbid")

    value_rials: int = Field(gt=0, le=10**12)
    count: int = Field(1, ge=1, le=10_000)
    #: A chosen code for a single card; generated codes use the coupons' unmistakable alphabet.
    code: str | None = Field(None, min_length=4, max_length=32)
    #: Length of generated codes (after the prefix).
    length: int = Field(10, ge=6, le=20)
    prefix: str = Field("", max_length=8, pattern=r"^[A-Za-z0-9]*$")
    #: A label for the cards issued together (their CSV export is per batch).
    batch: str | None = Field(None, min_length=1, max_length=64)
    expires_at: AwareDatetime | None = None
    #: The member the card is given to, when known.
    member_id: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_code_one_card(self) -> GiftCardCreate:
        if self.code is not None and self.count != 1:
            raise ValueError("a chosen code makes one card: leave count at 1")
        return self


class GiftCardRead(BaseModel):
    code: str
    batch: str | None
    value_rials: int
    #: What is left to spend.
    balance_rials: int
    status: GiftCardStatus
    expires_at: datetime | None
    member_id: int | None
    created_at: datetime


class GiftCardLoad(BaseModel):
    """Load the whole balance of a gift card into a member's wallet."""

    model_config = ConfigDict(extra="forbid")

    member: MemberRef


class GiftCardLoaded(BaseModel):
    card: GiftCardRead
    member_id: int
    amount_rials: int
    wallet: WalletBalance


#: Old names, for code written before issue 15 (removed in 0.3, with the API aliases).
GiftCardIssue = GiftCardCreate
