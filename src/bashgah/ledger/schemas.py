"""What the ledger says about an account in words the other domains share: the points balance every
write answers with, and the validators of a manual adjustment (points here, rials in the wallet)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PointsBalance(BaseModel):
    """A member's points right now (every write response carries it)."""

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


def not_zero(value: int) -> int:
    """An adjustment gives or takes: zero is neither (points here, rials in the wallet's)."""
    if value == 0:
        raise ValueError("must not be zero")
    return value


def real_reason(value: str) -> str:
    """A manual adjustment says why, in at least 3 characters."""
    if len(value.strip()) < 3:
        raise ValueError("a reason of at least 3 characters is required")
    return value.strip()
