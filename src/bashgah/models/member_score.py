from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import BigId, UTCDateTime
from bashgah.models.base import Base, ref


class MemberScore(Base):
    """A member's scores from the last ``bashgah jobs run scores`` (the RFM, CLV and churn reports over
    the whole club), read by the segment conditions ``rfm_group``, ``clv`` and ``churn_risk``. Members
    the job could not score (never bought) have no row; a score it could not give is NULL."""

    __tablename__ = "member_scores"
    __table_args__ = (Index("ix_member_scores_tenant", "tenant_id", "member_id"),)

    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = ref("tenants")
    #: RFM over the last 365 days: scores 1–5 and the group key (``analytics.labels.GROUPS``).
    rfm_r: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_f: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_m: Mapped[int | None] = mapped_column(SmallInteger)
    rfm_group: Mapped[str | None] = mapped_column(String(32))
    #: CLV: NULL while the club has too little history to fit the models.
    expected_value_365d_rials: Mapped[int | None] = mapped_column(BigInteger)
    probability_alive: Mapped[float | None] = mapped_column(Float)
    #: Days since the last purchase ÷ mean days between purchases; NULL without a rhythm (fewer than
    #: two purchases at different moments).
    churn_ratio: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)
