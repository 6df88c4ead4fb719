from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, IdMixin, ref


class CouponCode(IdMixin, Base):
    """One code of a batch; its row is what a sale locks to count the code's uses."""

    __tablename__ = "coupon_codes"
    __table_args__ = (
        # A code names one coupon in its club: generation retries whatever this index refuses.
        Index("uq_coupon_codes_tenant_code", "tenant_id", "code", unique=True),
        Index("ix_coupon_codes_batch", "batch_id", "id"),
        Index("ix_coupon_codes_member", "member_id"),
    )

    tenant_id: Mapped[int] = ref("tenants")
    batch_id: Mapped[int] = ref("coupon_batches")
    code: Mapped[str] = mapped_column(String(32))
    #: A code a campaign gave one member: only they may use it (None: whoever has the code).
    member_id: Mapped[int | None] = ref("members")
