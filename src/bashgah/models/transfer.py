from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class Transfer(IdMixin, CreatedMixin, Base):
    """An immutable movement of ``amount`` from ``debit_account`` to ``credit_account``.

    Never updated or deleted: a correction is a new transfer.
    """

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive_amount"),
        CheckConstraint("debit_account_id <> credit_account_id", name="distinct_accounts"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_transfers_debit", "debit_account_id", "id"),
        Index("ix_transfers_credit", "credit_account_id", "id"),
    )

    tenant_id: Mapped[int] = ref("tenants")
    debit_account_id: Mapped[int] = ref("accounts")
    credit_account_id: Mapped[int] = ref("accounts")
    amount: Mapped[int] = mapped_column(BigInteger)
    #: earn | redeem | earn_reversal | redeem_return | expire | adjust | transfer
    code: Mapped[str] = mapped_column(String(24))
    #: What caused it: ("purchase", 12), ("refund", 3), ("reservation", 7), ("lot", 9), ("adjustment", None)…
    ref_type: Mapped[str | None] = mapped_column(String(24))
    ref_id: Mapped[int | None] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(500))
    #: Who did it: "key:5", "cli", "job:expire"…
    actor: Mapped[str | None] = mapped_column(String(64))
