from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class StampAward(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """Stamps given (positive) or taken back by a return (negative), append-only: what a purchase
    earned stays what it earned, whatever later edits of the card say."""

    __tablename__ = "stamp_awards"
    __table_args__ = (
        Index("ix_stamp_awards_purchase", "purchase_id"),
        Index("ix_stamp_awards_member", "member_id", "card_id"),
    )

    card_id: Mapped[int] = ref("stamp_cards")
    version: Mapped[int] = mapped_column(Integer)
    purchase_id: Mapped[int | None] = ref("purchases")
    refund_id: Mapped[int | None] = ref("refunds")
    event_id: Mapped[int | None] = ref("member_events")
    campaign_id: Mapped[int | None] = ref("campaigns")
    stamps: Mapped[int] = mapped_column(Integer)
    #: Of a return: stamps due that could not be taken back (the rewards they made were already used).
    unrecovered: Mapped[int] = mapped_column(Integer, default=0)
    #: For a card earned per unit of some items: the item match, so a return of items takes back the
    #: stamps of exactly those units.
    basis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
