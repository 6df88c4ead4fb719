from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import BigId
from bashgah.models.base import Base, CreatedMixin, IdMixin


class Account(IdMixin, CreatedMixin, Base):
    """A ledger account. Balances are credit-normal: ``posted`` = credits − debits of posted transfers.

    ``pending`` is the amount held by open two-phase reservations (debits not yet posted). Both are
    caches of the transfers and reservations, updated in the same transaction and proven by
    ``bashgah ledger verify``.
    """

    __tablename__ = "accounts"
    __table_args__ = (Index("ix_accounts_tenant_kind", "tenant_id", "asset", "kind"),)

    tenant_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenants.id"))
    #: What the account counts: "points" (the wallet in rials comes later as its own asset).
    asset: Mapped[str] = mapped_column(String(16), default="points")
    #: member | issuance | redemption | expiry | adjustment
    kind: Mapped[str] = mapped_column(String(16))
    #: System accounts are sharded (see ``ledger.service.SHARDS``); member accounts use 0.
    shard: Mapped[int] = mapped_column(Integer, default=0)
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("members.id"), unique=True)
    posted: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)
