from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin


class MemberEvent(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """Something a member did besides buying (sign-up, survey, review…), as reported to the API."""

    __tablename__ = "member_events"
    __table_args__ = (Index("ix_member_events_member", "member_id", "id"),)

    name: Mapped[str] = mapped_column(String(64))
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
