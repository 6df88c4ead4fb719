from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class MemberStampCard(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """One card a member fills: at most one is open per stamp card, changed only under the member's
    account lock."""

    __tablename__ = "member_stamp_cards"
    __table_args__ = (Index("ix_member_stamp_cards_member", "member_id", "card_id", "status"),)

    card_id: Mapped[int] = ref("stamp_cards")
    #: The stamp card's version when this card was opened.
    card_version: Mapped[int] = mapped_column(Integer)
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    #: Stamps this card needs, as they were when it was opened (an edit changes only new cards).
    stamps_needed: Mapped[int] = mapped_column(Integer)
    #: open | completed | expired | void (emptied when a return reopened the card before it)
    status: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reward_instance_id: Mapped[int | None] = ref("reward_instances")
    reward_points: Mapped[int | None] = mapped_column(BigInteger)
    reward_transfer_id: Mapped[int | None] = ref("transfers")
