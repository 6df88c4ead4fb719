from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bashgah.core.normalize import CleanText
from bashgah.http.paging import Page, cursor_for


class WalletBalance(BaseModel):
    """A member's wallet in rials right now."""

    #: Rials the member can spend now.
    available_rials: int
    #: Cashback still inside the return window.
    pending_rials: int
    #: Rials that expire within the next 30 days.
    expiring_30d_rials: int
    next_expiry_at: datetime | None
    #: The ledger balance (available + pending); never below zero.
    total_rials: int


class WalletLine(BaseModel):
    id: int
    at: datetime
    code: str
    #: Signed from the member's side: + credited, − debited.
    rials: int
    description: str
    reason: str | None
    ref_type: str | None
    ref_id: int | None


class WalletRead(BaseModel):
    """What the wallet service reads: the balance and a page of the statement."""

    member_id: int
    balance: WalletBalance
    #: The statement, newest first, a page at a time.
    items: list[WalletLine]
    #: The id the next (older) page starts before; null on the last page.
    next_before: int | None


class WalletStatementRead(Page[WalletLine]):
    """The API's wallet: the balance and a page of the statement, newest first."""

    member_id: int
    balance: WalletBalance

    @classmethod
    def of(cls, read: WalletRead) -> WalletStatementRead:
        return cls(
            member_id=read.member_id,
            balance=read.balance,
            items=read.items,
            next_cursor=cursor_for(read.next_before),
        )


def _reason(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class TopUpCreate(BaseModel):
    """Money the member paid in, put in their wallet."""

    model_config = ConfigDict(extra="forbid")

    amount_rials: int = Field(gt=0, le=10**12)
    reason: CleanText | None = Field(None, max_length=500)
    #: The payment's reference (card terminal trace number, bank transfer id…), kept on the transfer.
    reference: str | None = Field(None, max_length=64)

    _clean = field_validator("reason", "reference")(_reason)


class WalletAdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Positive to give, negative to take.
    amount_rials: int = Field(ge=-(10**12), le=10**12)
    reason: CleanText = Field(min_length=3, max_length=500)

    @field_validator("amount_rials")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be zero")
        return value

    @field_validator("reason")
    @classmethod
    def _real_reason(cls, value: str) -> str:
        if len(value.strip()) < 3:
            raise ValueError("a reason of at least 3 characters is required")
        return value.strip()


class WalletChange(BaseModel):
    """The answer to a top-up, an adjustment or a gift card loaded into the wallet."""

    transfer_id: int
    amount_rials: int
    reason: str | None
    balance: WalletBalance


class WalletAdjustmentPreview(BaseModel):
    """What a manager's top-up or correction would do, before it is done: the balance now and after."""

    amount_rials: int
    reason: str
    before: WalletBalance
    after: WalletBalance
