from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class TierLevel(IdMixin, CreatedMixin, Base):
    """One level of the tenant's ladder (bronze, silver, gold, VIP…) and what it gives."""

    __tablename__ = "tier_levels"
    __table_args__ = (UniqueConstraint("tenant_id", "code"), UniqueConstraint("tenant_id", "rank"))

    tenant_id: Mapped[int] = ref("tenants")
    code: Mapped[str] = mapped_column(String(32))
    name_fa: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: 0 for the entry level; higher is better.
    rank: Mapped[int] = mapped_column(Integer)
    #: What a member needs in the qualifying window: rials spent, points earned or visits.
    threshold: Mapped[int] = mapped_column(BigInteger)
    #: Earned points × this ÷ 100 (100 = no change, 150 = one and a half times).
    earn_multiplier_pct: Mapped[int] = mapped_column(Integer, default=100)
    #: Points given on the member's birthday (by the occasions job).
    birthday_gift_points: Mapped[int] = mapped_column(BigInteger, default=0)
