from __future__ import annotations

from sqlalchemy import Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin


class Tenant(IdMixin, CreatedMixin, Base):
    """A business running its club. Every other row belongs to exactly one tenant."""

    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: How amounts are shown to people: "toman", "rial" or "new_rial" (``web.fmt.UNITS``). Always stored as integer rials.
    money_display: Mapped[str] = mapped_column(String(8), default="toman")
    language: Mapped[str] = mapped_column(String(8), default="fa")
    #: Analysts may download members' personal data and codes too (owners and managers always may).
    analysts_may_export: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
