from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import BigId, UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, utcnow


class StampCard(IdMixin, CreatedMixin, Base):
    """A stamp card a club offers ("buy 9 coffees, the 10th is free"); each edit is a new version."""

    __tablename__ = "stamp_cards"
    __table_args__ = (Index("ix_stamp_cards_tenant_active", "tenant_id", "active"),)

    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenants.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``stamps.schemas.StampCardCreate`` as JSON.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The catalogue reward a completed card issues an instance of (a hidden free product for
    #: ``free_product`` cards); null for a card that gives points.
    reward_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("rewards.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
