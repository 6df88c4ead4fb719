from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

from bashgah.core import clock
from bashgah.core.types import BigId, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return clock.utcnow()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def ref(table: str, **options: Any) -> MappedColumn[Any]:
    """A column naming a row of ``table`` by its id: a 64-bit foreign key (nullable when its ``Mapped``
    type allows None)."""
    return mapped_column(BigId, ForeignKey(f"{table}.id"), **options)


class MemberRowMixin:
    """A row about one member of one club."""

    tenant_id: Mapped[int] = ref("tenants")
    member_id: Mapped[int] = ref("members")


class NamedMixin:
    """A thing members see by name, in Persian and in English."""

    name_fa: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class VersionedMixin:
    """A club's definition (a campaign, a stamp card) kept whole as JSON; each edit is a new ``version``,
    and a retired one stays, inactive."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
