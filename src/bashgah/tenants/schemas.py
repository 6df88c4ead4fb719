from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bashgah.core.normalize import CleanText


class ProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    earn_points: int
    earn_per_rials: int
    rounding: Literal["floor", "round", "ceil"]
    point_value_rials: int
    pending_days: int
    expiry_mode: Literal["never", "months", "jalali_year_end"]
    expiry_months: int
    refund_policy: Literal["within_balance", "allow_negative"]
    reservation_minutes: int
    #: Days ahead a member is told their points expire (``bashgah jobs run notices``); 0 = never.
    notify_expiring_days: int
    earn_on_stored_value: bool
    cashback_expiry_months: int


class ProgrammeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    earn_points: int | None = Field(None, ge=0, le=1_000_000)
    earn_per_rials: int | None = Field(None, ge=1)
    rounding: Literal["floor", "round", "ceil"] | None = None
    point_value_rials: int | None = Field(None, ge=0)
    pending_days: int | None = Field(None, ge=0, le=365)
    expiry_mode: Literal["never", "months", "jalali_year_end"] | None = None
    expiry_months: int | None = Field(None, ge=1, le=120)
    refund_policy: Literal["within_balance", "allow_negative"] | None = None
    reservation_minutes: int | None = Field(None, ge=1, le=24 * 60)
    notify_expiring_days: int | None = Field(None, ge=0, le=365)
    #: Earn points on the part paid from the wallet or a gift card (default no).
    earn_on_stored_value: bool | None = None
    #: Months cashback stays in the wallet; 0 keeps it for ever.
    cashback_expiry_months: int | None = Field(None, ge=0, le=120)


class BranchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    active: bool


class BranchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: CleanText = Field(min_length=1, max_length=200)
    kind: Literal["store", "online"] = "store"


#: Old names, for code written before issue 15 (removed in 0.3, with the API aliases).
ProgramUpdate = ProgrammeUpdate
