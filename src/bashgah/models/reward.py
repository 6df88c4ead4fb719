from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, NamedMixin, ref


class Reward(IdMixin, CreatedMixin, NamedMixin, Base):
    """Something in the club's catalogue a member buys with points; its row is locked to count stock."""

    __tablename__ = "rewards"
    __table_args__ = (Index("ix_rewards_tenant", "tenant_id", "id"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: discount_amount | discount_percent | free_product | physical_gift | partner_voucher | free_shipping
    kind: Mapped[str] = mapped_column(String(20))
    cost_points: Mapped[int] = mapped_column(BigInteger)
    discount_rials: Mapped[int | None] = mapped_column(BigInteger)
    discount_percent: Mapped[int | None] = mapped_column(Integer)
    max_discount_rials: Mapped[int | None] = mapped_column(BigInteger)
    sku: Mapped[str | None] = mapped_column(String(64))
    #: Rials a ``wallet_credit`` reward puts in the member's wallet.
    credit_rials: Mapped[int | None] = mapped_column(BigInteger)
    #: Level codes that may redeem it; empty is every member.
    tiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Left to hand out; null is no limit. A partner voucher's stock is its unused pool codes.
    stock: Mapped[int | None] = mapped_column(Integer)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
