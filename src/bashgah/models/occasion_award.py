from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import BigId
from bashgah.models.base import Base, CreatedMixin, IdMixin


class OccasionAward(IdMixin, CreatedMixin, Base):
    """One occasion gift given to one member for one Jalali year; the unique key makes it once."""

    __tablename__ = "occasion_awards"
    __table_args__ = (UniqueConstraint("tenant_id", "rule_id", "member_id", "jalali_year"),)

    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenants.id"))
    rule_id: Mapped[int] = mapped_column(BigId, ForeignKey("occasion_rules.id"))
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("members.id"))
    #: The Jalali year the occasion falls in (an early gift counts for the coming occasion's year).
    jalali_year: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(BigInteger)
    transfer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("transfers.id"))
    reward_instance_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("reward_instances.id"))
