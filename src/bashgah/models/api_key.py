from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class ApiKey(IdMixin, CreatedMixin, Base):
    """A key for the REST API. Only its SHA-256 is stored; the key is shown once, when created."""

    __tablename__ = "api_keys"

    tenant_id: Mapped[int] = ref("tenants", index=True)
    branch_id: Mapped[int | None] = ref("branches")
    staff_id: Mapped[int | None] = ref("staff")
    name: Mapped[str] = mapped_column(String(100))
    #: owner | manager | cashier | integration
    role: Mapped[str] = mapped_column(String(16))
    #: The first characters of the key, to recognise it in lists.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
