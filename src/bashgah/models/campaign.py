from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import BigId, UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, utcnow


class Campaign(IdMixin, CreatedMixin, Base):
    """A campaign's current version; its row is also the budget counter, locked while awarding."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_tenant_active", "tenant_id", "active"),)

    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenants.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: ``programme.schemas.CampaignCreate`` as JSON (the same as its latest ``campaign_versions`` row).
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Points given away against the budget, counted under this row's lock. Only kept while the campaign
    #: has a budget (so campaigns without one never make sales wait on this row); recounted from
    #: ``campaign_awards`` when an edit sets a budget.
    budget_used: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
