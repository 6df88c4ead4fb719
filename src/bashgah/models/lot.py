from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class PointLot(IdMixin, CreatedMixin, Base):
    """Points credited to a member together, with one availability date and one expiry date.

    ``remaining`` is what is left to spend. Spending takes from the soonest-expiring lots first;
    a two-phase reservation takes its points from lots when it is made and gives back what it does not
    use. Invariant: the member's lots' ``remaining`` sum to ``max(0, posted − pending)``.
    """

    __tablename__ = "point_lots"
    __table_args__ = (Index("ix_point_lots_account_expiry", "account_id", "expires_at"),)

    tenant_id: Mapped[int] = ref("tenants")
    account_id: Mapped[int] = ref("accounts")
    transfer_id: Mapped[int] = ref("transfers")
    purchase_id: Mapped[int | None] = ref("purchases")
    amount: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
