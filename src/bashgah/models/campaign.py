from __future__ import annotations

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, VersionedMixin, ref


class Campaign(IdMixin, CreatedMixin, VersionedMixin, Base):
    """A campaign's current version; its row is also the budget counter, locked while awarding.

    ``definition`` is ``programme.schemas.CampaignCreate`` as JSON (the same as its latest
    ``campaign_versions`` row)."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_tenant_active", "tenant_id", "active"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: Points given away against the budget, counted under this row's lock. Only kept while the campaign
    #: has a budget (so campaigns without one never make sales wait on this row); recounted from
    #: ``campaign_awards`` when an edit sets a budget.
    budget_used: Mapped[int] = mapped_column(BigInteger, default=0)
