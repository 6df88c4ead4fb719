"""The people who work for a tenant and what role each has (keys and, later, console logins hang on them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth import service as auth
from bashgah.core.errors import Conflict, InvalidInput, NotFound
from bashgah.core.normalize import normalize_name
from bashgah.models import Staff, utcnow

STAFF_ROLES = tuple(r for r in auth.ROLES if r != "integration")


async def add(
    session: AsyncSession,
    tenant_id: int,
    username: str,
    full_name: str,
    role: str,
    branch_id: int | None = None,
) -> Staff:
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise InvalidInput("username", "letters, digits, . _ - only", "فقط حروف، رقم و . _ -", "نام کاربری")
    if role not in STAFF_ROLES:
        raise InvalidInput(
            "role", f"one of {', '.join(STAFF_ROLES)}", f"یکی از {'، '.join(STAFF_ROLES)}", "نقش"
        )
    if role == "cashier" and branch_id is None:
        raise InvalidInput("branch", "a cashier works at a branch", "صندوق‌دار باید شعبه داشته باشد", "شعبه")
    taken = await session.scalar(
        select(Staff.id).where(Staff.tenant_id == tenant_id, Staff.username == username)
    )
    if taken is not None:
        raise Conflict(f"username {username} is taken")
    person = Staff(
        tenant_id=tenant_id,
        branch_id=branch_id,
        username=username,
        full_name=normalize_name(full_name),
        role=role,
    )
    session.add(person)
    await session.flush()
    return person


async def get_by_username(session: AsyncSession, tenant_id: int, username: str) -> Staff:
    person = await session.scalar(
        select(Staff).where(Staff.tenant_id == tenant_id, Staff.username == username.strip().lower())
    )
    if person is None:
        raise NotFound("Staff member", "کارمند", detail=username)
    return person


async def list_staff(session: AsyncSession, tenant_id: int) -> list[Staff]:
    return list(
        (await session.scalars(select(Staff).where(Staff.tenant_id == tenant_id).order_by(Staff.id))).all()
    )


async def disable(session: AsyncSession, tenant_id: int, username: str) -> Staff:
    """Disable a person and revoke every API key issued to them."""
    person = await get_by_username(session, tenant_id, username)
    if person.disabled_at is None:
        person.disabled_at = utcnow()
    for key in await auth.list_keys(session, tenant_id):
        if key.staff_id == person.id and key.revoked_at is None:
            await auth.revoke(session, tenant_id, key.id)
    return person
