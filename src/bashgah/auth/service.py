"""API keys and what each role may do."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.core.db import get_in_club
from bashgah.core.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from bashgah.models import ApiKey, utcnow

ROLES = ("owner", "manager", "cashier", "integration")
#: Roles that may change points by hand or change the programme.
MANAGERS = ("owner", "manager")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant, the role and, for a branch-scoped key, the branch.

    A signed-in web page acts as its staff member: no key, ``staff_id`` set."""

    tenant_id: int
    role: str
    branch_id: int | None
    key_id: int | None
    staff_id: int | None = None

    @property
    def actor(self) -> str:
        if self.key_id is not None:
            return f"key:{self.key_id}"
        return f"staff:{self.staff_id}" if self.staff_id is not None else "cli"

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(self.role)


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def create(
    session: AsyncSession,
    tenant_id: int,
    name: str,
    role: str,
    branch_id: int | None = None,
    staff_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned once and never stored."""
    if role not in ROLES:
        raise InvalidInput("role", f"one of {', '.join(ROLES)}", f"یکی از {'، '.join(ROLES)}", "نقش")
    plaintext = "bg_" + secrets.token_urlsafe(30)
    key = ApiKey(
        tenant_id=tenant_id,
        branch_id=branch_id,
        staff_id=staff_id,
        name=name,
        role=role,
        prefix=plaintext[:10],
        key_hash=hash_key(plaintext),
    )
    session.add(key)
    await session.flush()
    return key, plaintext


async def list_keys(session: AsyncSession, tenant_id: int) -> list[ApiKey]:
    return list(
        (await session.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.id))).all()
    )


async def revoke(session: AsyncSession, tenant_id: int, key_id: int) -> ApiKey:
    key = await get_in_club(session, ApiKey, tenant_id, key_id, NotFound("API key", "کلید API"))
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    _principals.clear()
    return key


#: Keys are checked on every request; a key revoked by another process stops working within 5 s.
_principals: TTLCache[tuple[str, str], Principal] = TTLCache(ttl=5)


async def authenticate(session: AsyncSession, plaintext: str | None) -> Principal:
    if not plaintext:
        raise Unauthorized()
    cache_key = (scope(session), hash_key(plaintext))
    cached = _principals.get(cache_key)
    if cached is not None:
        return cached
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.tenant_id, ApiKey.role, ApiKey.branch_id).where(
                ApiKey.key_hash == hash_key(plaintext), ApiKey.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None:
        raise Unauthorized()
    key_id, tenant_id, role, branch_id = row
    principal = Principal(tenant_id=tenant_id, role=role, branch_id=branch_id, key_id=key_id)
    _principals.set(cache_key, principal)
    return principal
