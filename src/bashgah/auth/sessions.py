"""Server-side web sessions: a random id in an HttpOnly cookie, the row keyed by its SHA-256.

A session belongs to a staff member (POS, console) or to a member (portal) and carries the CSRF token
every POST form of that session must send back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.exports import service as exports
from bashgah.models import Staff, Tenant, WebSession

COOKIE = "bg_session"
#: Only touch ``last_seen_at`` this often: a page view should not always cost a write.
SEEN_EVERY = timedelta(minutes=1)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


@dataclass(frozen=True)
class StaffUser:
    """The signed-in staff member of a page request."""

    tenant_id: int
    tenant_slug: str
    tenant_name: str
    #: How the club shows amounts: toman | rial.
    money_unit: str
    staff_id: int
    username: str
    full_name: str
    role: str
    branch_id: int | None
    language: str | None
    csrf_token: str
    #: The club lets analysts download personal data and codes too.
    analysts_may_export: bool = False

    @property
    def may_export(self) -> bool:
        """Whether this person may download members' personal data and codes (hides the links)."""
        return exports.may_export(self.role, self.analysts_may_export)

    @property
    def principal(self) -> Principal:
        """Who the services see: the staff member's role, branch and id (their actor in the ledger)."""
        return Principal(
            tenant_id=self.tenant_id,
            role=self.role,
            branch_id=self.branch_id,
            key_id=None,
            staff_id=self.staff_id,
        )


async def start(
    session: AsyncSession,
    tenant_id: int,
    now: datetime,
    hours: int,
    staff_id: int | None = None,
    member_id: int | None = None,
) -> str:
    """Open a session; returns the cookie value (shown once, stored only as a hash)."""
    if (staff_id is None) == (member_id is None):
        raise ValueError("a session belongs to exactly one staff member or member")
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=_hash(session_id),
            tenant_id=tenant_id,
            staff_id=staff_id,
            member_id=member_id,
            csrf_token=new_token(),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    await session.flush()
    return session_id


async def find(session: AsyncSession, session_id: str | None, now: datetime) -> WebSession | None:
    """The live session of a cookie value, or None (unknown, expired)."""
    if not session_id:
        return None
    row = await session.get(WebSession, _hash(session_id))
    if row is None or row.expires_at <= now:
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now
    return row


async def staff_user(session: AsyncSession, session_id: str | None, now: datetime) -> StaffUser | None:
    """The staff member signed in with this cookie, unless the session ended or they were disabled."""
    row = await find(session, session_id, now)
    if row is None or row.staff_id is None:
        return None
    person = await session.get(Staff, row.staff_id)
    if person is None or person.disabled_at is not None:
        return None
    tenant = await session.get(Tenant, person.tenant_id)
    assert tenant is not None
    return StaffUser(
        tenant_id=person.tenant_id,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        money_unit=tenant.money_display,
        staff_id=person.id,
        username=person.username,
        full_name=person.full_name,
        role=person.role,
        branch_id=person.branch_id,
        language=person.language,
        csrf_token=row.csrf_token,
        analysts_may_export=tenant.analysts_may_export,
    )


@dataclass(frozen=True)
class MemberUser:
    """The member signed in to the portal."""

    tenant_id: int
    member_id: int
    csrf_token: str


async def member_user(session: AsyncSession, session_id: str | None, now: datetime) -> MemberUser | None:
    row = await find(session, session_id, now)
    if row is None or row.member_id is None:
        return None
    return MemberUser(tenant_id=row.tenant_id, member_id=row.member_id, csrf_token=row.csrf_token)


async def end(session: AsyncSession, session_id: str | None) -> None:
    if session_id:
        await session.execute(delete(WebSession).where(WebSession.id_hash == _hash(session_id)))


async def end_all_of_staff(session: AsyncSession, staff_id: int) -> None:
    """Sign a person out everywhere (new password, disabled)."""
    await session.execute(delete(WebSession).where(WebSession.staff_id == staff_id))


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    ids = (await session.scalars(select(WebSession.id_hash).where(WebSession.expires_at <= now))).all()
    if ids:
        await session.execute(delete(WebSession).where(WebSession.id_hash.in_(ids)))
    return len(ids)
