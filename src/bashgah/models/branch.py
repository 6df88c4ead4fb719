from __future__ import annotations

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class Branch(IdMixin, CreatedMixin, Base):
    """A store, or the online shop, of a tenant."""

    __tablename__ = "branches"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[int] = ref("tenants", index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    #: store | online
    kind: Mapped[str] = mapped_column(String(16), default="store")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
