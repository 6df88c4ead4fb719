from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class GiftCard(IdMixin, CreatedMixin, Base):
    """A gift card: a code whose value in rials is its own ledger account (asset ``rials``).

    Its balance is the account's ``posted``; a spend locks this row first, so two tills can never take
    the same rials twice.
    """

    __tablename__ = "gift_cards"
    __table_args__ = (
        Index("uq_gift_cards_tenant_code", "tenant_id", "code", unique=True),
        Index("ix_gift_cards_batch", "tenant_id", "batch", "id"),
    )

    tenant_id: Mapped[int] = ref("tenants")
    code: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = ref("accounts")
    #: A label naming the cards issued together (CSV export per batch).
    batch: Mapped[str | None] = mapped_column(String(64))
    #: The value loaded at issue.
    value_rials: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The member it was given to, when known.
    member_id: Mapped[int | None] = ref("members")
    #: active | used_up | expired | cancelled
    status: Mapped[str] = mapped_column(String(10), default="active")
