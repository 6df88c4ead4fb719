from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref, utcnow


class Segment(IdMixin, CreatedMixin, Base):
    """A named group of members: dynamic (conditions evaluated when asked) or static (a stored list)."""

    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_tenant", "tenant_id", "deleted_at"),)

    tenant_id: Mapped[int] = ref("tenants")
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))
    #: dynamic | static
    kind: Mapped[str] = mapped_column(String(8))
    #: ``segments.conditions.Condition`` as JSON; null for a static segment.
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Set when deleted: the row stays so campaigns that named it can say what it was.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
