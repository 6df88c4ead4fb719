from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, IdMixin, ref, utcnow


class AuditEntry(IdMixin, Base):
    """Who did what in the web pages. ``summary`` holds ids and amounts, never personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant_id", "at"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: Null for actions without a signed-in staff member (a member in the portal, the system).
    actor_staff_id: Mapped[int | None] = ref("staff")
    #: Dotted verb, e.g. ``staff.login``, ``pos.sale``.
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
