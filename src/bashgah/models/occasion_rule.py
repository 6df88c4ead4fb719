from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, NamedMixin, ref


class OccasionRule(IdMixin, CreatedMixin, NamedMixin, Base):
    """A gift the club gives once a Jalali year on an occasion: a birthday, an anniversary, Nowruz, Yalda."""

    __tablename__ = "occasion_rules"
    __table_args__ = (Index("ix_occasion_rules_tenant", "tenant_id", "id"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: birthday | membership_anniversary | wedding_anniversary | nowruz | yalda
    kind: Mapped[str] = mapped_column(String(24))
    #: Points given (a birthday adds the member's level's ``birthday_gift_points``).
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    #: A catalogue reward issued free of points, or none.
    reward_id: Mapped[int | None] = ref("rewards")
    #: Level codes whose members get it; empty is every member.
    tiers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: The gift may be given this many days before the occasion (0 = on the day only).
    days_early: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
