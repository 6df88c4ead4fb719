from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, IdMixin, ref


class PurchaseItem(IdMixin, Base):
    __tablename__ = "purchase_items"

    purchase_id: Mapped[int] = ref("purchases", index=True)
    sku: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_rials: Mapped[int] = mapped_column(BigInteger)
    #: What one unit cost the shop, when known; lets the Pareto report measure profit, not only revenue.
    unit_cost_rials: Mapped[int | None] = mapped_column(BigInteger)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)
