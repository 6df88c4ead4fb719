from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class CouponBatch(IdMixin, CreatedMixin, Base):
    """A campaign of discount codes: one universal code, or many generated unique ones."""

    __tablename__ = "coupon_batches"
    __table_args__ = (Index("ix_coupon_batches_tenant", "tenant_id", "id"),)

    tenant_id: Mapped[int] = ref("tenants")
    name: Mapped[str] = mapped_column(String(200))
    #: universal | unique
    kind: Mapped[str] = mapped_column(String(10))
    #: fixed (rials) | percent
    discount_type: Mapped[str] = mapped_column(String(8))
    #: Rials for ``fixed``, a percentage for ``percent``.
    discount_value: Mapped[int] = mapped_column(BigInteger)
    #: The cap of a percent discount, in rials.
    max_discount_rials: Mapped[int | None] = mapped_column(BigInteger)
    min_basket_rials: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Uses of the whole batch, of each code, and by each member; null is no limit.
    max_uses: Mapped[int | None] = mapped_column(Integer)
    max_uses_per_code: Mapped[int | None] = mapped_column(Integer)
    max_uses_per_member: Mapped[int | None] = mapped_column(Integer)
    code_count: Mapped[int] = mapped_column(Integer)
    #: Switched off by a manager: no code of the batch is accepted until it is switched on again.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
