from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, MemberRowMixin, ref


class Purchase(IdMixin, CreatedMixin, MemberRowMixin, Base):
    """A receipt from a till or an online order, and what it did to the member's points."""

    __tablename__ = "purchases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "branch_id", "external_id"),
        Index("ix_purchases_member", "member_id", "id"),
    )

    branch_id: Mapped[int] = ref("branches")
    external_id: Mapped[str] = mapped_column(String(64))
    total_rials: Mapped[int] = mapped_column(BigInteger)
    discount_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    points_earned: Mapped[int] = mapped_column(BigInteger, default=0)
    points_redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the sale happened at the till (may be earlier than created_at for imports).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refunded_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    points_reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    points_returned: Mapped[int] = mapped_column(BigInteger, default=0)
    #: [[lot_id, points], …] the redeemed points were taken from, so a refund can give them back to the
    #: same lots with their own expiry dates (buying and returning never renews points). Null when
    #: nothing was redeemed, or for imported history.
    redeemed_lots: Mapped[list[Any] | None] = mapped_column(JSON)
    #: Rials paid from the member's wallet, and [[lot_id, rials], …] the wallet lots they came from (a
    #: refund gives them back to the same lots, keeping their expiry).
    wallet_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    wallet_lots: Mapped[list[Any] | None] = mapped_column(JSON)
    #: The gift card paid with, and how many rials it paid.
    gift_card_id: Mapped[int | None] = ref("gift_cards")
    gift_card_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The member's reward used on this sale and what it took off ``total_rials`` (the gross total, as the
    #: till typed it): paid is the total less the reward, the coupon and the points discount.
    reward_instance_id: Mapped[int | None] = ref("reward_instances")
    reward_discount_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The staff member who recorded the sale at a till (null from the API, the importer and the CLI).
    staff_id: Mapped[int | None] = ref("staff")
