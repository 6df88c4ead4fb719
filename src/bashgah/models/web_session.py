from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, ref


class WebSession(CreatedMixin, Base):
    """A signed-in browser: a staff member (console, POS) or a member (portal).

    The cookie carries a random id; only its SHA-256 is stored, so a copy of the table opens no session.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_expires_at", "expires_at"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[int] = ref("tenants")
    #: Exactly one of staff_id / member_id is set.
    staff_id: Mapped[int | None] = ref("staff")
    member_id: Mapped[int | None] = ref("members")
    #: Every POST form of the session must carry this token.
    csrf_token: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
