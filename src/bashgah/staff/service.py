"""The people who work for a tenant, what role each has, and their web sign-in (argon2 passwords, locks per
(person, address) with back-off).

API keys and web sessions hang on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth import service as auth
from bashgah.core.db import get_in_club
from bashgah.core.errors import BashgahError, Conflict, InvalidInput, NotFound
from bashgah.core.normalize import normalize_name
from bashgah.models import LoginThrottle, Staff, Tenant, utcnow
from bashgah.staff.errors import LastOwner, LoginFailed, LoginLocked, OwnersOnly, WeakPassword

#: ``analyst`` reads the console and changes nothing; it has no API key role.
STAFF_ROLES = ("owner", "manager", "analyst", "cashier")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
#: Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


async def add(
    session: AsyncSession,
    tenant_id: int,
    username: str,
    full_name: str,
    role: str,
    branch_id: int | None = None,
    password: str | None = None,
) -> Staff:
    """Add a person; with ``password`` they can also sign in to the web pages."""
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
        password_hash=hash_password(password) if password is not None else None,
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


async def get(session: AsyncSession, tenant_id: int, staff_id: int) -> Staff:
    return await get_in_club(session, Staff, tenant_id, staff_id, NotFound("Staff member", "کارمند"))


def check_may_manage(actor_role: str, target_role: str, new_role: str | None = None) -> None:
    """Only an owner touches an owner (their role or password) or makes someone owner."""
    if actor_role != "owner" and "owner" in (target_role, new_role):
        raise OwnersOnly()


async def change_role(
    session: AsyncSession,
    tenant_id: int,
    staff_id: int,
    role: str,
    branch_id: int | None,
    actor_role: str,
) -> Staff:
    """Give a person another role (and branch: a cashier works at one). The club's last active owner
    stays owner; only an owner changes an owner or makes one."""
    person = await get(session, tenant_id, staff_id)
    if role not in STAFF_ROLES:
        raise InvalidInput(
            "role", f"one of {', '.join(STAFF_ROLES)}", f"یکی از {'، '.join(STAFF_ROLES)}", "نقش"
        )
    check_may_manage(actor_role, person.role, role)
    if role == "cashier" and branch_id is None:
        raise InvalidInput("branch", "a cashier works at a branch", "صندوق‌دار باید شعبه داشته باشد", "شعبه")
    if person.role == "owner" and role != "owner" and person.disabled_at is None:
        owners = await session.scalar(
            select(func.count(Staff.id)).where(
                Staff.tenant_id == tenant_id, Staff.role == "owner", Staff.disabled_at.is_(None)
            )
        )
        if (owners or 0) <= 1:
            raise LastOwner()
    person.role = role
    person.branch_id = branch_id
    await session.flush()
    return person


async def reset_password(
    session: AsyncSession, tenant_id: int, staff_id: int, password: str, actor_role: str
) -> Staff:
    """An owner or manager gives a person a new password (only an owner an owner's)."""
    person = await get(session, tenant_id, staff_id)
    check_may_manage(actor_role, person.role)
    return await set_password(session, tenant_id, person.username, password)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(MIN_PASSWORD)
    return _hasher.hash(password)


async def set_password(session: AsyncSession, tenant_id: int, username: str, password: str) -> Staff:
    """Give a person a (new) web password; it also lifts every lock on their sign-in."""
    person = await get_by_username(session, tenant_id, username)
    person.password_hash = hash_password(password)
    await _forget_failures(session, person.id)
    return person


async def unlock(session: AsyncSession, tenant_id: int, username: str) -> tuple[Staff, int]:
    """Lift every lock on a person's sign-in, from every address; returns the person and how many
    addresses were locked."""
    person = await get_by_username(session, tenant_id, username)
    now = utcnow()
    locked = await session.scalar(
        select(func.count(LoginThrottle.id)).where(
            LoginThrottle.staff_id == person.id, LoginThrottle.locked_until > now
        )
    )
    await _forget_failures(session, person.id)
    return person, int(locked or 0)


async def _forget_failures(session: AsyncSession, staff_id: int, address: str | None = None) -> None:
    statement = delete(LoginThrottle).where(LoginThrottle.staff_id == staff_id)
    if address is not None:
        statement = statement.where(LoginThrottle.address == address)
    await session.execute(statement)


def password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class LoginResult:
    """Either ``staff`` or ``error``. A refused login is not an exception: its failure count must be
    committed, and an exception would roll it back."""

    staff: Staff | None
    error: BashgahError | None
    #: The person this very attempt locked out (for the audit log).
    locked: Staff | None = None


#: The longest a lock lasts, however often an address keeps guessing.
MAX_LOCK = timedelta(hours=24)


def lock_length(lock_minutes: int, lockouts: int) -> timedelta:
    """The back-off: the first lock lasts ``lock_minutes``, each further one from the same address twice as
    long as the one before, at most a day."""
    return min(timedelta(minutes=lock_minutes) * 2 ** min(lockouts, 16), MAX_LOCK)


async def login(
    session: AsyncSession,
    tenant_slug: str,
    username: str,
    password: str,
    now: datetime,
    address: str = "unknown",
    max_failures: int = 5,
    lock_minutes: int = 15,
) -> LoginResult:
    """Check a web sign-in from ``address``. ``max_failures`` wrong passwords in a row from one address
    lock the person's login from that address only (see :func:`lock_length`); while locked even the right
    password is refused there. Other addresses are not affected, so nobody can lock the owner out by
    guessing from elsewhere."""
    address = address[:64]
    person = await session.scalar(
        select(Staff)
        .join(Tenant, Tenant.id == Staff.tenant_id)
        .where(Tenant.slug == tenant_slug.strip().lower(), Staff.username == username.strip().lower())
        .with_for_update()
    )
    if person is None or person.disabled_at is not None:
        password_matches(None, password)
        return LoginResult(None, LoginFailed())
    throttle = await session.scalar(
        select(LoginThrottle).where(LoginThrottle.staff_id == person.id, LoginThrottle.address == address)
    )
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        return LoginResult(None, LoginLocked(math.ceil((throttle.locked_until - now).total_seconds() / 60)))
    if not password_matches(person.password_hash, password):
        if throttle is None:
            throttle = LoginThrottle(
                tenant_id=person.tenant_id, staff_id=person.id, address=address, failures=0, lockouts=0
            )
            session.add(throttle)
        throttle.failures += 1
        if throttle.failures >= max_failures:
            length = lock_length(lock_minutes, throttle.lockouts)
            throttle.failures = 0
            throttle.lockouts += 1
            throttle.locked_until = now + length
            await session.flush()
            return LoginResult(None, LoginLocked(math.ceil(length.total_seconds() / 60)), locked=person)
        await session.flush()
        return LoginResult(None, LoginFailed())
    if throttle is not None:
        await _forget_failures(session, person.id, address)
    if _hasher.check_needs_rehash(person.password_hash or ""):
        person.password_hash = _hasher.hash(password)
    return LoginResult(person, None)


async def set_language(session: AsyncSession, tenant_id: int, staff_id: int, lang: str) -> None:
    """Keep a person's preferred language of the web pages (someone gone meanwhile keeps nothing)."""
    try:
        person = await get(session, tenant_id, staff_id)
    except NotFound:
        return
    person.language = lang
