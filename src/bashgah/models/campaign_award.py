from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class CampaignAward(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """Points one campaign version gave a member for one purchase or event (a ``bonus`` transfer)."""

    __tablename__ = "campaign_awards"
    __table_args__ = (
        Index("ix_campaign_awards_member", "campaign_id", "member_id", "created_at"),
        Index("ix_campaign_awards_purchase", "purchase_id"),
    )

    campaign_id: Mapped[int] = ref("campaigns")
    version: Mapped[int] = mapped_column(Integer)
    #: Keys of the rules that fired.
    rules: Mapped[list[Any]] = mapped_column(JSON)
    purchase_id: Mapped[int | None] = ref("purchases")
    event_id: Mapped[int | None] = ref("member_events")
    points: Mapped[int] = mapped_column(BigInteger)
    #: Rials of wallet cashback the campaign credited (``wallet_cashback`` effect).
    cashback_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    transfer_id: Mapped[int] = ref("transfers")
