from __future__ import annotations

from sqlalchemy import BigInteger, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class OccasionAward(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """One occasion gift given to one member for one Jalali year; the unique key makes it once."""

    __tablename__ = "occasion_awards"
    __table_args__ = (UniqueConstraint("tenant_id", "rule_id", "member_id", "jalali_year"),)

    rule_id: Mapped[int] = ref("occasion_rules")
    #: The Jalali year the occasion falls in (an early gift counts for the coming occasion's year).
    jalali_year: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(BigInteger)
    transfer_id: Mapped[int | None] = ref("transfers")
    reward_instance_id: Mapped[int | None] = ref("reward_instances")
