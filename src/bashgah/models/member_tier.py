from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, ref


class MemberTier(Base):
    """A member's current level; absent means the entry level."""

    __tablename__ = "member_tiers"

    member_id: Mapped[int] = ref("members", primary_key=True)
    tenant_id: Mapped[int] = ref("tenants", index=True)
    level_id: Mapped[int] = ref("tier_levels")
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the level is next reviewed for a downgrade (the end of its period).
    review_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Set when a review found the member below the level: the downgrade waits until then.
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A manager's lock: no automatic upgrade or downgrade.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    lock_reason: Mapped[str | None] = mapped_column(String(500))
