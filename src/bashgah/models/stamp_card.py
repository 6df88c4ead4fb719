from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.orm import Mapped

from bashgah.models.base import Base, CreatedMixin, IdMixin, VersionedMixin, ref


class StampCard(IdMixin, CreatedMixin, VersionedMixin, Base):
    """A stamp card a club offers ("buy 9 coffees, the 10th is free"); each edit is a new version.

    ``definition`` is ``stamps.schemas.StampCardCreate`` as JSON."""

    __tablename__ = "stamp_cards"
    __table_args__ = (Index("ix_stamp_cards_tenant_active", "tenant_id", "active"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: The catalogue reward a completed card issues an instance of (a hidden free product for
    #: ``free_product`` cards); null for a card that gives points.
    reward_id: Mapped[int | None] = ref("rewards")
