from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class Refund(IdMixin, CreatedMixin, Base):
    """A (partial) return of a purchase and its effect on points."""

    __tablename__ = "refunds"

    tenant_id: Mapped[int] = ref("tenants")
    purchase_id: Mapped[int] = ref("purchases", index=True)
    amount_rials: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Earned points taken back from the member.
    points_reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Earned points that should have been taken back but had already been spent (within_balance).
    points_unrecovered: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Redeemed points given back to the member.
    points_returned: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Money the shop pays back: the refunded amount less the share of the points discount.
    cash_refund_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Wallet and gift-card rials paid back to where they came from (not in ``cash_refund_rials``).
    wallet_returned_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    gift_card_returned_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Campaign cashback taken back from the wallet (within what was left of it).
    cashback_reversed_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str | None] = mapped_column(String(500))
