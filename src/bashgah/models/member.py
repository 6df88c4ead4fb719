from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref, utcnow


class Member(IdMixin, CreatedMixin, Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "mobile"),
        UniqueConstraint("tenant_id", "card_number"),
        UniqueConstraint("tenant_id", "national_code"),
        Index("ix_members_tenant_name_key", "tenant_id", "name_key"),
    )

    tenant_id: Mapped[int] = ref("tenants")
    #: E.164, e.g. +989121234567.
    mobile: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    #: Normalised "first last" for search (ي→ی, ك→ک, ZWNJ→space, casefolded).
    name_key: Mapped[str] = mapped_column(String(210), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    wedding_date: Mapped[date | None] = mapped_column(Date)
    #: female | male | other, or unknown when absent.
    gender: Mapped[str | None] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(254))
    national_code: Mapped[str | None] = mapped_column(String(10))
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: active | blocked
    status: Mapped[str] = mapped_column(String(8), default="active")
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    sms_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_consent_source: Mapped[str | None] = mapped_column(String(32))
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    email_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_consent_source: Mapped[str | None] = mapped_column(String(32))
    #: 16 digits, the last a Luhn check digit.
    card_number: Mapped[str] = mapped_column(String(16))
    enrolled_branch_id: Mapped[int | None] = ref("branches")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
