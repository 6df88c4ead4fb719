from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class CouponUse(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """A code used on a purchase; a full refund of the purchase gives it back (``returned_at``)."""

    __tablename__ = "coupon_uses"
    __table_args__ = (
        Index("ix_coupon_uses_code", "code_id", "returned_at"),
        Index("ix_coupon_uses_batch_member", "batch_id", "member_id", "returned_at"),
        Index("uq_coupon_uses_purchase", "purchase_id", unique=True),
    )

    batch_id: Mapped[int] = ref("coupon_batches")
    code_id: Mapped[int] = ref("coupon_codes")
    purchase_id: Mapped[int] = ref("purchases")
    discount_rials: Mapped[int] = mapped_column(BigInteger)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
