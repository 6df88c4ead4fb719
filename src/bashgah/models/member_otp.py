from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class MemberOtp(IdMixin, CreatedMixin, Base):
    """A one-time code sent by SMS so a member can sign in to the portal (only its hash is kept)."""

    __tablename__ = "member_otps"
    __table_args__ = (Index("ix_member_otps_tenant_mobile", "tenant_id", "mobile", "id"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: Null when the mobile is not (yet) a member's.
    member_id: Mapped[int | None] = ref("members")
    #: E.164.
    mobile: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
