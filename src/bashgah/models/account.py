from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class Account(IdMixin, CreatedMixin, Base):
    """A ledger account. Balances are credit-normal: ``posted`` = credits − debits of posted transfers.

    ``pending`` is the amount held by open two-phase reservations (debits not yet posted). Both are
    caches of the transfers and reservations, updated in the same transaction and proven by
    ``bashgah ledger verify``.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_tenant_kind", "tenant_id", "asset", "kind"),
        # A member has one account per asset: points, and (once it is first credited) the wallet.
        UniqueConstraint("member_id", "asset"),
    )

    tenant_id: Mapped[int] = ref("tenants")
    #: What the account counts: "points", or "rials" (the wallet and gift cards, see ``wallet``).
    asset: Mapped[str] = mapped_column(String(16), default="points")
    #: member | gift_card | issuance | redemption | expiry | adjustment
    kind: Mapped[str] = mapped_column(String(16))
    #: System accounts are sharded (see ``ledger.service.SHARDS``); member accounts use 0.
    shard: Mapped[int] = mapped_column(Integer, default=0)
    member_id: Mapped[int | None] = ref("members")
    posted: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)
