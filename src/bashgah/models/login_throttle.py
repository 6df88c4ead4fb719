from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bashgah.core.types import UTCDateTime
from bashgah.models.base import Base, IdMixin, ref


class LoginThrottle(IdMixin, Base):
    """Wrong passwords for one staff login from one network address.

    The lock is per (person, address): failures from one address never lock the person out from another.
    Each lock of the same pair lasts twice as long as the one before, until a good sign-in from that
    address (or ``bashgah staff unlock``) forgets them."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("staff_id", "address"),)

    tenant_id: Mapped[int] = ref("tenants")
    staff_id: Mapped[int] = ref("staff")
    #: The client's address as the server sees it (behind a proxy: the forwarded one, see the README).
    address: Mapped[str] = mapped_column(String(64))
    #: Wrong passwords since the last lock or good sign-in.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: Locks so far; the next lasts ``lock_minutes × 2^lockouts``.
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    #: Until this instant this address's sign-ins are refused, even with the right password.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
