"""Members: enrolment, identity in every form a person types it, lookup, update, block."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import DuplicateMember, InvalidInput, MemberBlocked, NotFound
from bashgah.core.jalali import parse_birth_date, parse_past_date
from bashgah.core.normalize import (
    looks_like_phone,
    new_card_number,
    normalize_card_number,
    normalize_name,
    normalize_national_code,
    normalize_phone,
    search_key,
    to_latin_digits,
)
from bashgah.ledger import service as ledger
from bashgah.ledger.service import LockedAccount
from bashgah.members.cards import QR_PREFIX as QR_PREFIX  # re-exported: callers read them here
from bashgah.members.cards import qr_payload as qr_payload
from bashgah.members.cards import strip_qr
from bashgah.members.schemas import MemberCreate, MemberUpdate
from bashgah.models import Account, Member, MemberTier, utcnow
from bashgah.tenants import service as tenants

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_key(first: str, last: str) -> str:
    return search_key(f"{first} {last}")


def clean_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _EMAIL.match(value):
        raise InvalidInput("email", "not a valid email address", "نشانی ایمیل معتبر نیست", "ایمیل")
    return value.lower()


def clean_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = normalize_name(tag)
        if tag and tag not in seen:
            seen.append(tag)
    return seen


async def _ensure_unique(
    session: AsyncSession, tenant_id: int, member_id: int | None, **fields: str | None
) -> None:
    labels = {"mobile": "شماره موبایل", "national_code": "کد ملی", "card_number": "شماره کارت"}
    for field, value in fields.items():
        if value is None:
            continue
        column = getattr(Member, field)
        other = await session.scalar(select(Member.id).where(Member.tenant_id == tenant_id, column == value))
        if other is not None and other != member_id:
            raise DuplicateMember(field, labels[field])


async def _new_card(session: AsyncSession, tenant_id: int) -> str:
    while True:
        card = new_card_number()
        taken = await session.scalar(
            select(Member.id).where(Member.tenant_id == tenant_id, Member.card_number == card)
        )
        if taken is None:
            return card


def _wedding_date(raw: str | None) -> date | None:
    return parse_past_date(raw, "wedding_date", "تاریخ ازدواج") if raw else None


async def create(session: AsyncSession, tenant_id: int, data: MemberCreate) -> Member:
    mobile = normalize_phone(data.mobile)
    national_code = normalize_national_code(data.national_code) if data.national_code else None
    await _ensure_unique(session, tenant_id, None, mobile=mobile, national_code=national_code)
    first, last = normalize_name(data.first_name), normalize_name(data.last_name)
    now = utcnow()
    branch_id = (
        (await tenants.resolve_branch(session, tenant_id, data.branch, None)).id if data.branch else None
    )
    member = Member(
        tenant_id=tenant_id,
        mobile=mobile,
        first_name=first,
        last_name=last,
        name_key=name_key(first, last),
        birth_date=parse_birth_date(data.birth_date) if data.birth_date else None,
        wedding_date=_wedding_date(data.wedding_date),
        gender=data.gender,
        email=clean_email(data.email),
        national_code=national_code,
        tags=clean_tags(data.tags),
        status="active",
        sms_consent=data.sms_consent,
        sms_consent_at=now if data.sms_consent else None,
        sms_consent_source=data.consent_source if data.sms_consent else None,
        email_consent=data.email_consent,
        email_consent_at=now if data.email_consent else None,
        email_consent_source=data.consent_source if data.email_consent else None,
        card_number=await _new_card(session, tenant_id),
        enrolled_branch_id=branch_id,
        created_at=now,
        updated_at=now,
    )
    session.add(member)
    try:
        await session.flush()
    except IntegrityError as error:
        # Two tills enrolled the same person at once: the loser gets the same answer as a later duplicate.
        raise _duplicate(error) from error
    await ledger.open_member_account(session, tenant_id, member.id)
    return member


def _duplicate(error: IntegrityError) -> Exception:
    text = str(error.orig).lower()
    if "national_code" in text:
        return DuplicateMember("national_code", "کد ملی")
    if "mobile" in text:
        return DuplicateMember("mobile", "شماره موبایل")
    return error


async def get(session: AsyncSession, tenant_id: int, member_id: int) -> Member:
    member = await session.scalar(select(Member).where(Member.tenant_id == tenant_id, Member.id == member_id))
    if member is None:
        raise NotFound("Member", "عضو")
    return member


@dataclass(frozen=True)
class MemberStatus:
    """The locked member as the sale needs them: status, what campaign rules ask, and their tier row."""

    id: int
    status: str
    tags: tuple[str, ...] = ()
    birth_date: date | None = None
    enrolled_at: datetime | None = None
    #: The member's ``member_tiers`` row (None when they have none yet).
    level_id: int | None = None
    tier_locked: bool = False


def lock_statement(by: str) -> Select[Any]:
    """Find a member by ``by`` (id, mobile, card_number) and lock their points account: member status,
    what campaign rules ask about them, their tier row and the account's totals, in one round trip.

    A use case may add columns (e.g. the sale's tier measure) with ``.add_columns`` and pass the result
    to :func:`lock_with` as ``statement``; their values come back as ``extra``.
    """
    members_t, accounts_t = cast(Table, Member.__table__), cast(Table, Account.__table__)
    tiers_t = cast(Table, MemberTier.__table__)
    return (
        select(
            members_t.c.id,
            members_t.c.status,
            accounts_t.c.id,
            accounts_t.c.posted,
            accounts_t.c.pending,
            members_t.c.tags,
            members_t.c.birth_date,
            members_t.c.created_at,
            tiers_t.c.level_id,
            tiers_t.c.locked,
        )
        .join(accounts_t, (accounts_t.c.member_id == members_t.c.id) & (accounts_t.c.asset == "points"))
        .outerjoin(tiers_t, tiers_t.c.member_id == members_t.c.id)
        .where(members_t.c.tenant_id == bindparam("tenant_id"), members_t.c[by] == bindparam("value"))
        .with_for_update(of=accounts_t)
    )


#: Built once per way of naming a member: this runs on every sale.
_LOCK_BY = {by: lock_statement(by) for by in ("id", "mobile", "card_number")}
_LOCKED_COLUMNS = 10


@dataclass(frozen=True)
class Locked:
    member: MemberStatus
    account: LockedAccount
    #: Values of the columns the caller's ``statement`` added, in order.
    extra: tuple[Any, ...] = ()


def naming(member_id: int | None, phone: str | None = None, card: str | None = None) -> tuple[str, int | str]:
    """How a till names a member (``by`` of :func:`lock_statement`) and the normalised value."""
    if member_id is not None:
        return "id", member_id
    if phone is not None:
        return "mobile", normalize_phone(phone)
    card_number = normalize_card_number(strip_qr(card or ""))
    if card_number is None:
        raise NotFound("Member", "عضو")
    return "card_number", card_number


async def lock_with(
    session: AsyncSession,
    tenant_id: int,
    by: str,
    value: int | str,
    statement: Select[Any] | None = None,
    params: dict[str, Any] | None = None,
) -> Locked:
    """Run a lock statement (:func:`lock_statement`, maybe with added columns) for one member."""
    connection = await session.connection()
    query = statement if statement is not None else _LOCK_BY[by]
    row = (
        await connection.execute(query, {"tenant_id": tenant_id, "value": value, **(params or {})})
    ).first()
    if row is None:
        raise NotFound("Member", "عضو")
    tier_locked = bool(row[9]) if row[9] is not None else False
    return Locked(
        MemberStatus(row[0], row[1], tuple(row[5] or ()), row[6], row[7], row[8], tier_locked),
        LockedAccount(id=row[2], member_id=row[0], posted=row[3], pending=row[4]),
        tuple(row[_LOCKED_COLUMNS:]),
    )


async def lock(
    session: AsyncSession,
    tenant_id: int,
    member_id: int | None,
    phone: str | None = None,
    card: str | None = None,
) -> tuple[MemberStatus, LockedAccount]:
    """Find a member by id, phone or card and lock their points account, in one round trip."""
    found = await lock_with(session, tenant_id, *naming(member_id, phone, card))
    return found.member, found.account


async def get_by_mobile(session: AsyncSession, tenant_id: int, raw: str) -> Member:
    member = await session.scalar(
        select(Member).where(Member.tenant_id == tenant_id, Member.mobile == normalize_phone(raw))
    )
    if member is None:
        raise NotFound("Member", "عضو")
    return member


async def get_by_card(session: AsyncSession, tenant_id: int, raw: str) -> Member:
    card = normalize_card_number(strip_qr(raw))
    member = None
    if card is not None:
        member = await session.scalar(
            select(Member).where(Member.tenant_id == tenant_id, Member.card_number == card)
        )
    if member is None:
        raise NotFound("Member", "عضو")
    return member


@dataclass
class LookupResult:
    matched_by: str
    members: list[Member]


async def lookup(session: AsyncSession, tenant_id: int, q: str, limit: int = 20) -> LookupResult:
    """Find members by whatever the cashier typed or scanned: phone, card / QR, national code or name."""
    text = to_latin_digits(strip_qr(q)).strip()
    if not text:
        raise InvalidInput(
            "q",
            "type a phone, card number, national code or name",
            "شماره، کارت، کد ملی یا نام را وارد کنید",
            "جستجو",
        )
    card = normalize_card_number(text)
    if card is not None:
        found = await session.scalars(
            select(Member).where(Member.tenant_id == tenant_id, Member.card_number == card)
        )
        return LookupResult("card", list(found.all()))
    digits = re.sub(r"[\s-]", "", text)
    if digits.isdigit() and 8 <= len(digits) <= 10:
        # Ten digits may be a national code or a mobile without its 0 (9121234567): a stored code wins.
        # Eight or nine are a national code that lost its leading zeros (as normalize_national_code pads).
        try:
            code: str | None = normalize_national_code(digits)
        except InvalidInput:
            code = None
        if code is not None:
            by_code = (
                await session.scalars(
                    select(Member).where(Member.tenant_id == tenant_id, Member.national_code == code)
                )
            ).all()
            if by_code or not digits.startswith("9"):
                return LookupResult("national_code", list(by_code))
    if looks_like_phone(text):
        try:
            mobile = normalize_phone(text)
        except InvalidInput:
            mobile = None
        if mobile is not None:
            found = await session.scalars(
                select(Member).where(Member.tenant_id == tenant_id, Member.mobile == mobile)
            )
            return LookupResult("mobile", list(found.all()))
    key = search_key(text)
    if len(key) < 2:
        return LookupResult("name", [])
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = await session.scalars(
        select(Member)
        .where(Member.tenant_id == tenant_id, Member.name_key.like(pattern, escape="\\"))
        .order_by(Member.id)
        .limit(limit)
    )
    return LookupResult("name", list(found.all()))


async def update(session: AsyncSession, tenant_id: int, member_id: int, data: MemberUpdate) -> Member:
    member = await get(session, tenant_id, member_id)
    fields = data.model_dump(exclude_unset=True)
    now = utcnow()
    if fields.get("mobile") is not None:
        mobile = normalize_phone(fields["mobile"])
        await _ensure_unique(session, tenant_id, member.id, mobile=mobile)
        member.mobile = mobile
    if "national_code" in fields:
        code = normalize_national_code(fields["national_code"]) if fields["national_code"] else None
        await _ensure_unique(session, tenant_id, member.id, national_code=code)
        member.national_code = code
    if fields.get("first_name") is not None:
        member.first_name = normalize_name(fields["first_name"])
    if fields.get("last_name") is not None:
        member.last_name = normalize_name(fields["last_name"])
    member.name_key = name_key(member.first_name, member.last_name)
    if "birth_date" in fields:
        member.birth_date = parse_birth_date(fields["birth_date"]) if fields["birth_date"] else None
    if "wedding_date" in fields:
        member.wedding_date = _wedding_date(fields["wedding_date"])
    if "gender" in fields:
        member.gender = fields["gender"]
    if "email" in fields:
        member.email = clean_email(fields["email"])
    if fields.get("tags") is not None:
        member.tags = clean_tags(fields["tags"])
    for channel in ("sms", "email"):
        given = fields.get(f"{channel}_consent")
        if given is not None and given != getattr(member, f"{channel}_consent"):
            setattr(member, f"{channel}_consent", given)
            setattr(member, f"{channel}_consent_at", now)
            setattr(member, f"{channel}_consent_source", data.consent_source)
    member.updated_at = now
    await session.flush()
    return member


async def set_blocked(session: AsyncSession, tenant_id: int, member_id: int, reason: str | None) -> Member:
    """Block (with a reason) or, with ``reason=None``, unblock a member."""
    member = await get(session, tenant_id, member_id)
    member.status = "blocked" if reason else "active"
    member.blocked_reason = reason
    member.updated_at = utcnow()
    await session.flush()
    return member


def ensure_active(member: Member | MemberStatus) -> None:
    if member.status != "active":
        raise MemberBlocked()


async def newest(session: AsyncSession, tenant_id: int, limit: int) -> list[Member]:
    """The club's most recently joined members, newest first."""
    query = select(Member).where(Member.tenant_id == tenant_id).order_by(Member.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())
