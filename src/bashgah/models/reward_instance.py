from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class RewardInstance(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """A reward a member redeemed: its short code is shown at the till and used once."""

    __tablename__ = "reward_instances"
    __table_args__ = (
        Index("uq_reward_instances_tenant_code", "tenant_id", "code", unique=True),
        Index("ix_reward_instances_reward_member", "reward_id", "member_id", "status"),
        Index("ix_reward_instances_member", "member_id", "id"),
    )

    reward_id: Mapped[int] = ref("rewards")
    code: Mapped[str] = mapped_column(String(16))
    #: issued | used | cancelled (expired is an issued one past ``expires_at``)
    status: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(BigInteger)
    #: [[lot_id, points], ...] taken from the member's lots; a cancel gives them back.
    allocations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    partner_code: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
