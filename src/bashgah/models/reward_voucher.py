from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, IdMixin, ref


class RewardVoucher(IdMixin, Base):
    """A partner's code in a reward's pool; handed out to one reward instance."""

    __tablename__ = "reward_vouchers"
    __table_args__ = (
        Index("uq_reward_vouchers_reward_code", "reward_id", "code", unique=True),
        Index("ix_reward_vouchers_free", "reward_id", "instance_id"),
    )

    tenant_id: Mapped[int] = ref("tenants")
    reward_id: Mapped[int] = ref("rewards")
    code: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[int | None] = ref("reward_instances")
