"""The members' points routes in and out: balance card, statement, adjustments, transfers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bashgah.core.normalize import CleanText
from bashgah.ledger.schemas import PointsBalance, not_zero, real_reason
from bashgah.members.schemas import MemberRef


class StampsBrief(BaseModel):
    """One open stamp card of the member: e.g. 7 of 10 stamps."""

    card_id: int
    name_fa: str
    name_en: str
    stamps: int
    stamps_needed: int


class BalanceRead(PointsBalance):
    """The balance summary: the figures above, the member's lifetime totals and open stamp cards."""

    lifetime_earned: int
    lifetime_redeemed: int
    stamps: list[StampsBrief] = Field(default_factory=list)


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Positive to give, negative to take.
    points: int = Field(ge=-10_000_000, le=10_000_000)
    reason: CleanText = Field(min_length=3, max_length=500)

    _not_zero = field_validator("points")(not_zero)
    _real_reason = field_validator("reason")(real_reason)


class AdjustmentRead(BaseModel):
    transfer_id: int
    points: int
    reason: str
    balance: PointsBalance


class AdjustmentPreview(BaseModel):
    """What an adjustment would do, before it is done: the balance now and after (the confirm step)."""

    points: int
    reason: str
    before: PointsBalance
    after: PointsBalance


class TransferCreate(BaseModel):
    """Give points to another member of the same club."""

    model_config = ConfigDict(extra="forbid")

    to: MemberRef
    points: int = Field(gt=0, le=10_000_000)
    reason: CleanText | None = Field(None, max_length=500)


class TransferRead(BaseModel):
    transfer_id: int
    points: int
    from_member_id: int
    to_member_id: int
    #: The giver's balance after the transfer.
    balance: PointsBalance


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
