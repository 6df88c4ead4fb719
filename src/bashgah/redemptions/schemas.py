from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bashgah.ledger.schemas import PointsBalance
from bashgah.purchases.schemas import MemberRef


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: MemberRef
    points: int = Field(gt=0, le=10**9)
    branch: str | None = Field(None, max_length=64)
    #: Minutes to hold the points; the programme's default when left out.
    hold_minutes: int | None = Field(None, ge=1, le=24 * 60)
    external_ref: str | None = Field(None, max_length=64)


class ReservationCommit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Points actually used (at most the reserved amount); all of them when left out.
    points: int | None = Field(None, gt=0, le=10**9)


class ReservationRead(BaseModel):
    id: int
    member_id: int
    points: int
    committed_points: int
    #: Rials of discount the reserved (or committed) points are worth.
    value_rials: int
    status: str
    expires_at: datetime
    closed_at: datetime | None
    external_ref: str | None
    balance: PointsBalance | None = None
