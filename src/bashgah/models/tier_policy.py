from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, ref


class TierPolicy(Base):
    """How members qualify for levels, one row per tenant."""

    __tablename__ = "tier_policies"

    tenant_id: Mapped[int] = ref("tenants", primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: spend (rials paid, net of returns) | points (earned, net of reversals) | visits (purchases)
    metric: Mapped[str] = mapped_column(String(8), default="spend")
    #: rolling (the last ``window_months`` months) | jalali_year (since 1 Farvardin)
    window: Mapped[str] = mapped_column(String(12), default="rolling")
    window_months: Mapped[int] = mapped_column(Integer, default=12)
    #: one_down (at most one level down per review) | recompute (straight to the level earned)
    downgrade: Mapped[str] = mapped_column(String(10), default="one_down")
    #: Days a member keeps a level they no longer earn before the downgrade happens.
    grace_days: Mapped[int] = mapped_column(Integer, default=30)
