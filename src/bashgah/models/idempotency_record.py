from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.models.base import Base, CreatedMixin, IdMixin, ref


class IdempotencyRecord(IdMixin, CreatedMixin, Base):
    """The first response to a client's Idempotency-Key, replayed for the same request."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("tenant_id", "scope", "key"),)

    tenant_id: Mapped[int] = ref("tenants")
    #: Who sent the key (``key:<api key id>``, ``staff:<staff id>``): a key is only theirs to replay.
    scope: Mapped[str] = mapped_column(String(64), default="", server_default="")
    key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of method, path and the canonical JSON body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
