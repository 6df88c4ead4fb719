from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class BalanceRead(BaseModel):
    #: Points the member can spend now.
    available: int
    #: Earned points still inside the return window.
    pending: int
    #: Points held by open two-phase redemptions.
    reserved: int
    #: Points that expire within the next 30 days.
    expiring_30d: int
    next_expiry_at: datetime | None
    #: The ledger balance: available + pending + reserved (negative only under allow_negative).
    total: int
    lifetime_earned: int
    lifetime_redeemed: int


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Positive to give, negative to take.
    points: int = Field(ne=0, ge=-10_000_000, le=10_000_000)
    reason: str = Field(min_length=3, max_length=500)


class AdjustmentRead(BaseModel):
    transfer_id: int
    points: int
    reason: str
    balance: BalanceRead


class LedgerLine(BaseModel):
    id: int
    at: datetime
    code: str
    #: Signed from the member's side: + credited, − debited.
    points: int
    description: str
    reason: str | None
    ref_type: str | None
    ref_id: int | None


class LedgerPage(BaseModel):
    items: list[LedgerLine]
    #: Pass as ``before`` to get the next (older) page; null on the last page.
    next_before: int | None
