"""Signing a member in to the portal with a one-time code sent by SMS.

Only a salted hash of the code is kept (``member_otps``). A code lives two minutes; a mobile may ask for
one code a minute and five an hour; five wrong codes lock the number for fifteen minutes. A mobile that
is not a member's gets the same answer as a member's (a row is kept, so the limits are the same too)
but no SMS: nobody can learn from the portal who is a member.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.normalize import normalize_phone, to_latin_digits
from bashgah.models import Member, MemberOtp, Tenant
from bashgah.portal.errors import BadCodeShape, CodeTooSoon, SignInLocked, TooManyCodes, WrongCode
from bashgah.sms.gateway import SmsGateway

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=2)
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_HOUR = 5
MAX_ATTEMPTS = 5
LOCK_FOR = timedelta(minutes=15)
#: Codes asked for from one address in an hour, all numbers together.
CODES_PER_HOUR_PER_ADDRESS = 30
#: The first key of the per-number advisory lock on PostgreSQL (the second is a hash of club and number).
OTP_LOCK = 0x0B7C

SMS_TEXT = {
    "fa": "کد ورود شما به باشگاه {club}: {code}\nاین کد را به کسی ندهید.",
    "en": "Your sign-in code for {club}: {code}\nDo not share it with anyone.",
}


def hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256(f'{salt}:{code}'.encode()).hexdigest()}"


def code_matches(code: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(hash_code(code, salt), stored)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def clean_code(raw: str) -> str:
    """The code as typed, in any digits and with spaces or dashes, as ASCII digits; else an error."""
    code = "".join(ch for ch in to_latin_digits(raw) if not ch.isspace() and ch != "-")
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise BadCodeShape(None, digits=CODE_DIGITS)
    return code


class AddressWindow:
    """Requests per client address in a sliding hour, in this process's memory.

    A member_otps row has no address column; this keeps one address from spraying codes at many
    numbers. Across several processes each counts its own share."""

    def __init__(self, limit: int = CODES_PER_HOUR_PER_ADDRESS, seconds: float = 3600) -> None:
        self.limit, self.seconds = limit, seconds
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, address: str, now: float | None = None) -> bool:
        """Count a request; False when the address is over its limit (then it is not counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(address, deque())
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # forget quiet addresses so memory stays small
                for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.seconds]:
                    del self._seen[key]
            return True


async def club_by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug.strip().lower()))
    if tenant is None:
        raise NotFound("Club", "باشگاه")
    return tenant


async def _one_request_at_a_time(session: AsyncSession, tenant_id: int, mobile: str) -> None:
    """Two requests for one number wait for each other, so both cannot pass the once-a-minute check.

    SQLite already runs one writer at a time; PostgreSQL gets an advisory lock (no row may exist yet)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"{tenant_id}:{mobile}".encode()) - 2**31  # a signed 32-bit key
        await session.execute(select(func.pg_advisory_xact_lock(OTP_LOCK, key)))


async def _latest(session: AsyncSession, tenant_id: int, mobile: str) -> MemberOtp | None:
    return await session.scalar(
        select(MemberOtp)
        .where(MemberOtp.tenant_id == tenant_id, MemberOtp.mobile == mobile)
        .order_by(MemberOtp.id.desc())
        .limit(1)
    )


def _locked_minutes(latest: MemberOtp | None, now: datetime) -> int:
    """Minutes left of a lock after too many wrong codes (0: not locked)."""
    if latest is None or latest.attempts < MAX_ATTEMPTS:
        return 0
    left = latest.created_at + LOCK_FOR - now
    return max(0, -(-int(left.total_seconds()) // 60))


@dataclass(frozen=True)
class CodeSent:
    tenant_id: int
    mobile: str


async def request_code(
    session: AsyncSession, gateway: SmsGateway, club: str, raw_mobile: str, now: datetime, lang: str
) -> CodeSent:
    """Send a sign-in code to ``raw_mobile`` if it is a member's of ``club``; the same answer either way."""
    tenant = await club_by_slug(session, club)
    mobile = normalize_phone(raw_mobile)
    await _one_request_at_a_time(session, tenant.id, mobile)
    latest = await _latest(session, tenant.id, mobile)
    minutes = _locked_minutes(latest, now)
    if minutes:
        raise SignInLocked(None, minutes=minutes)
    if latest is not None and latest.created_at > now - RESEND_AFTER:
        wait = int((latest.created_at + RESEND_AFTER - now).total_seconds()) + 1
        raise CodeTooSoon(None, seconds=wait)
    asked = await session.scalar(
        select(func.count())
        .select_from(MemberOtp)
        .where(
            MemberOtp.tenant_id == tenant.id,
            MemberOtp.mobile == mobile,
            MemberOtp.created_at > now - timedelta(hours=1),
        )
    )
    if (asked or 0) >= CODES_PER_HOUR:
        raise TooManyCodes()
    member = await session.scalar(
        select(Member).where(
            Member.tenant_id == tenant.id, Member.mobile == mobile, Member.status == "active"
        )
    )
    code = new_code()
    session.add(
        MemberOtp(
            tenant_id=tenant.id,
            member_id=member.id if member is not None else None,
            mobile=mobile,
            code_hash=hash_code(code),
            attempts=0,
            sent_at=now if member is not None else None,
            expires_at=now + CODE_LIFETIME,
            created_at=now,
        )
    )
    await session.flush()
    if member is not None:
        # Last, so a gateway that fails rolls the row back: no code is kept that was never sent.
        text = SMS_TEXT["fa" if lang == "fa" else "en"].format(club=tenant.name, code=code)
        await gateway.send(mobile, text)
    return CodeSent(tenant.id, mobile)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a code: the member signed in, or why not. Wrong tries must be kept, so this is
    returned, not raised: the caller commits either way."""

    tenant_id: int
    member_id: int | None
    error: BashgahError | None


async def verify_code(
    session: AsyncSession, club: str, raw_mobile: str, raw_code: str, now: datetime
) -> SignIn:
    tenant = await club_by_slug(session, club)
    mobile = normalize_phone(raw_mobile)
    code = clean_code(raw_code)
    latest = await _latest(session, tenant.id, mobile)
    if latest is None:
        return SignIn(tenant.id, None, WrongCode(None, left=MAX_ATTEMPTS))
    minutes = _locked_minutes(latest, now)
    if minutes:
        return SignIn(tenant.id, None, SignInLocked(None, minutes=minutes))
    # Claim a try first, atomically: guesses sent at once cannot share one try.
    claimed = await session.execute(
        update(MemberOtp)
        .where(MemberOtp.id == latest.id, MemberOtp.attempts < MAX_ATTEMPTS)
        .values(attempts=MemberOtp.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if cast(Any, claimed).rowcount != 1:
        # Another guess took the last try meanwhile, or an old lock has run out (then: ask for a new code).
        await session.refresh(latest)
        minutes = _locked_minutes(latest, now)
        error = SignInLocked(None, minutes=minutes) if minutes else WrongCode(None, left=0)
        return SignIn(tenant.id, None, error)
    await session.refresh(latest)
    active = (
        latest.member_id is not None
        and (await session.scalar(select(Member.status).where(Member.id == latest.member_id))) == "active"
    )
    good = (
        active and latest.used_at is None and latest.expires_at > now and code_matches(code, latest.code_hash)
    )
    if not good:
        if latest.attempts >= MAX_ATTEMPTS:
            return SignIn(tenant.id, None, SignInLocked(None, minutes=_locked_minutes(latest, now)))
        return SignIn(tenant.id, None, WrongCode(None, left=MAX_ATTEMPTS - latest.attempts))
    used = await session.execute(
        update(MemberOtp)
        .where(MemberOtp.id == latest.id, MemberOtp.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(Any, used).rowcount != 1:
        return SignIn(tenant.id, None, WrongCode(None, left=MAX_ATTEMPTS - latest.attempts))
    return SignIn(tenant.id, latest.member_id, None)
