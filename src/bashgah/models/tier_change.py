from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class TierChange(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """The history of a member's levels: every upgrade, downgrade, grace and manual change."""

    __tablename__ = "tier_changes"
    __table_args__ = (Index("ix_tier_changes_member", "member_id", "id"),)

    from_level_id: Mapped[int | None] = ref("tier_levels")
    to_level_id: Mapped[int | None] = ref("tier_levels")
    #: upgrade | downgrade | grace | manual | unlock
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(64))
