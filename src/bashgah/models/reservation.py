from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class Reservation(IdMixin, CreatedMixin, Base):
    """A two-phase redemption: points held (pending) until committed, cancelled or lapsed — once."""

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_open", "status", "expires_at"),)

    tenant_id: Mapped[int] = ref("tenants")
    member_id: Mapped[int] = ref("members", index=True)
    account_id: Mapped[int] = ref("accounts")
    branch_id: Mapped[int | None] = ref("branches")
    points: Mapped[int] = mapped_column(BigInteger)
    committed_points: Mapped[int] = mapped_column(BigInteger, default=0)
    #: held | committed | cancelled | expired
    status: Mapped[str] = mapped_column(String(12), default="held")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: [[lot_id, points], …] taken from the member's lots, soonest-expiring first.
    allocations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    external_ref: Mapped[str | None] = mapped_column(String(64))
