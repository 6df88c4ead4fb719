from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import BigId
from bashgah.models.base import Base, CreatedMixin, ref


class SegmentMember(CreatedMixin, Base):
    """A member of a static segment (imported or added by hand)."""

    __tablename__ = "segment_members"
    __table_args__ = (Index("ix_segment_members_member", "member_id"),)

    segment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("segments.id"), primary_key=True, autoincrement=False
    )
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = ref("tenants")
