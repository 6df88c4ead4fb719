from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class Staff(IdMixin, CreatedMixin, Base):
    """A person working for the tenant: owner, manager, analyst or cashier (optionally tied to one branch)."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("tenant_id", "username"),)

    tenant_id: Mapped[int] = ref("tenants", index=True)
    branch_id: Mapped[int | None] = ref("branches")
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: argon2id hash of the web login password; no password means no web login.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Wrong passwords and locks are kept per (person, address) in ``LoginThrottle``.
    #: Preferred language of the web pages (fa | en); null: the club's default.
    language: Mapped[str | None] = mapped_column(String(8))
