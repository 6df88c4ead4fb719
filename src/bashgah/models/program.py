from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, ref


class Program(Base):
    """The points programme's settings, one row per tenant."""

    __tablename__ = "programs"

    tenant_id: Mapped[int] = ref("tenants", primary_key=True)
    #: ``earn_points`` points for every ``earn_per_rials`` rials paid (1 per 10,000 by default).
    earn_points: Mapped[int] = mapped_column(Integer, default=1)
    earn_per_rials: Mapped[int] = mapped_column(BigInteger, default=10_000)
    #: floor | round | ceil, applied to the fractional points of one purchase.
    rounding: Mapped[str] = mapped_column(String(8), default="floor")
    #: Rials of discount one point buys at redemption.
    point_value_rials: Mapped[int] = mapped_column(BigInteger, default=1_000)
    #: Days earned points stay pending (the return window) before they can be spent.
    pending_days: Mapped[int] = mapped_column(Integer, default=0)
    #: never | months | jalali_year_end
    expiry_mode: Mapped[str] = mapped_column(String(16), default="months")
    expiry_months: Mapped[int] = mapped_column(Integer, default=12)
    #: within_balance | allow_negative (see docs/ARCHITECTURE.md, "Refunds").
    refund_policy: Mapped[str] = mapped_column(String(16), default="within_balance")
    #: Minutes a two-phase redemption holds points before it lapses.
    reservation_minutes: Mapped[int] = mapped_column(Integer, default=15)
    #: Days before points expire that the member is told (``bashgah jobs run notices``); 0 = never.
    notify_expiring_days: Mapped[int] = mapped_column(Integer, default=14)
    #: Whether points are earned on the part of a sale paid from the wallet or a gift card. No by
    #: default: that money was itself pre-paid or given by the club, points were earned when it was.
    earn_on_stored_value: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Months wallet cashback (and wallet-credit rewards) stay spendable; 0 is for ever.
    cashback_expiry_months: Mapped[int] = mapped_column(Integer, default=6)
