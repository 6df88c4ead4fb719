from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin


class Notice(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """Something to tell a member (e.g. "points expiring"), recorded by a job for the messaging work to
    send. ``(tenant, member, kind, ref)`` is unique, so a job that runs again records nothing new."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id", "kind", "ref"),
        Index("ix_notices_unsent", "tenant_id", "sent_at", "id"),
    )

    #: points_expiring
    kind: Mapped[str] = mapped_column(String(32))
    #: What the notice is about, within its kind (for points_expiring: the Tehran date, ``2026-12-01``).
    ref: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When it should be sent.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
