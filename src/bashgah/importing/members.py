"""Importing members in bulk: the same normalisation and checks as enrolment, inserted in one go.

Members are keyed by mobile: a member already enrolled with that number is left as they are and
counted as skipped, so the same file (or an export of this club) can be imported again safely. New
members get a points account and, unless the file brings one, a fresh card number unique in the club.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import InvalidInput
from bashgah.core.jalali import parse_birth_date
from bashgah.core.normalize import (
    new_card_number,
    normalize_card_number,
    normalize_name,
    normalize_national_code,
    normalize_phone,
)
from bashgah.importing import bulk, values
from bashgah.importing.report import (
    ImportCounts,
    ImportRejected,
    Line,
    Progress,
    RowError,
    Words,
    no_progress,
    reading,
    reason,
    say,
)
from bashgah.importing.sources import Table
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import Account, Branch, Member, utcnow

#: An enrolment may be stamped a little ahead of our clock (as a sale may).
CLOCK_SKEW = timedelta(minutes=10)

# Enrolment's own checks for e-mail and tags, so that an imported member is held to the same rules as
# one enrolled at the till (they are module-private there).
_email_address = members.clean_email
_tag_list = members.clean_tags

PROGRESS_EVERY = 5_000

_NO_MOBILE = Words("the mobile number is missing", "شماره موبایل نوشته نشده است")
_BAD_CARD = Words("not a valid card number (16 digits)", "شماره کارت معتبر نیست (۱۶ رقم)")
_LONG_EMAIL = Words("longer than 254 characters", "بلندتر از ۲۵۴ نویسه است")
_LONG_NAME = Words("too long", "بیش از ۱۰۰ نویسه است")
_CODE_TAKEN = Words("another member already has this national code", "عضو دیگری همین کد ملی را دارد")
_CARD_TAKEN = Words("another member already has this card", "عضو دیگری همین کارت را دارد")


def no_branch(code: str) -> Words:
    return say("there is no branch with code {code}", "شعبه‌ای با کد {code} نیست", code=code)


MEMBER_FIELDS = (
    "id",
    "tenant_id",
    "mobile",
    "first_name",
    "last_name",
    "name_key",
    "birth_date",
    "gender",
    "email",
    "national_code",
    "tags",
    "status",
    "blocked_reason",
    "sms_consent",
    "sms_consent_at",
    "sms_consent_source",
    "email_consent",
    "email_consent_at",
    "email_consent_source",
    "card_number",
    "enrolled_branch_id",
    "created_at",
    "updated_at",
)
ACCOUNT_FIELDS = ("tenant_id", "asset", "kind", "member_id", "posted", "pending", "created_at")


@dataclass
class NewMember:
    line: int
    mobile: str
    first_name: str
    last_name: str
    birth_date: date | None
    gender: str | None
    email: str | None
    national_code: str | None
    tags: list[str]
    sms_consent: bool
    email_consent: bool
    card_number: str | None
    branch: str | None
    #: When they joined, as the file says; None: now, the time of the import.
    enrolled_at: datetime | None = None


@dataclass
class ParsedMembers:
    members: list[NewMember]
    errors: list[RowError]
    table: Table


class MemberImport(ImportCounts):
    """Members enrolled from a file, and those already in the club."""


def _text(cells: list[str], index: dict[str, int], name: str) -> str:
    i = index.get(name)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _enrolled_at(raw: str, now: datetime) -> datetime:
    at = values.moment(raw, "created_at", "تاریخ عضویت")
    if at > now + CLOCK_SKEW:
        raise InvalidInput("created_at", "the date is in the future", "تاریخ در آینده است", "تاریخ عضویت")
    return at


def read_members(
    table: Table, progress: Progress = no_progress, today: date | None = None, now: datetime | None = None
) -> ParsedMembers:
    """Parse and check every row of a members file, as enrolment would; no database here."""
    now = now or utcnow()
    index, label = table.index, table.label
    parsed: list[NewMember] = []
    errors: list[RowError] = []
    first_line: dict[tuple[str, str], int] = {}
    parsers: tuple[tuple[str, Callable[[str], Any]], ...] = (
        ("mobile", normalize_phone),
        ("birth_date", lambda raw: parse_birth_date(raw, today=today)),
        ("national_code", normalize_national_code),
        ("email", _email_address),
        ("gender", values.gender),
        ("sms_consent", lambda raw: values.yes_no(raw, "sms_consent", "رضایت پیامک")),
        ("email_consent", lambda raw: values.yes_no(raw, "email_consent", "رضایت ایمیل")),
        ("created_at", lambda raw: _enrolled_at(raw, now)),
    )
    for line, cells in reading(table.rows, table.size, progress, PROGRESS_EVERY):
        bad = len(errors)
        row: dict[str, Any] = {}
        if not _text(cells, index, "mobile"):
            errors.append(RowError(line, label("mobile"), _NO_MOBILE))
        for name, parse in parsers:
            raw = _text(cells, index, name)
            try:
                row[name] = parse(raw) if raw else None
            except InvalidInput as error:
                errors.append(RowError(line, label(name), reason(error)))
        card = _text(cells, index, "card_number")
        if card:
            row["card_number"] = normalize_card_number(card)
            if row["card_number"] is None:
                errors.append(RowError(line, label("card_number"), _BAD_CARD))
        if row.get("email") and len(row["email"]) > 254:
            errors.append(RowError(line, label("email"), _LONG_EMAIL))
        first = normalize_name(_text(cells, index, "first_name"))
        last = normalize_name(_text(cells, index, "last_name"))
        if len(first) > 100 or len(last) > 100:
            errors.append(
                RowError(line, label("first_name" if len(first) > 100 else "last_name"), _LONG_NAME)
            )
        for name in ("mobile", "national_code", "card_number"):
            value = row.get(name)
            if value is None:
                continue
            seen = first_line.setdefault((name, value), line)
            if seen != line:
                errors.append(
                    RowError(
                        line,
                        label(name),
                        say(
                            "the same as on line {seen}",
                            "تکراری است: همان که در سطر {seen} آمده",
                            seen=Line(seen),
                        ),
                    )
                )
        if len(errors) == bad:
            parsed.append(
                NewMember(
                    line=line,
                    mobile=row["mobile"],
                    first_name=first,
                    last_name=last,
                    birth_date=row["birth_date"],
                    gender=row["gender"],
                    email=row["email"],
                    national_code=row["national_code"],
                    tags=_tag_list(values.tag_list(_text(cells, index, "tags"))),
                    sms_consent=bool(row["sms_consent"]),
                    email_consent=bool(row["email_consent"]),
                    card_number=row.get("card_number"),
                    branch=_text(cells, index, "branch") or None,
                    enrolled_at=row["created_at"],
                )
            )
    return ParsedMembers(members=parsed, errors=errors, table=table)


async def _existing(session: AsyncSession, tenant_id: int, column: Any, wanted: list[Any]) -> set[Any]:
    rows = await bulk.select_where_in(
        session, lambda cond: select(column).where(Member.tenant_id == tenant_id, cond), column, wanted
    )
    return {value for (value,) in rows}


async def _fresh_cards(
    session: AsyncSession, tenant_id: int, count: int, taken: set[str], rng: random.Random | None
) -> list[str]:
    """``count`` new card numbers used by nobody in the club (nor in ``taken``)."""
    cards: list[str] = []
    while len(cards) < count:
        batch = {new_card_number(rng) for _ in range(count - len(cards))} - taken
        batch -= await _existing(session, tenant_id, Member.card_number, sorted(batch))
        taken |= batch
        cards.extend(sorted(batch))
    return cards


async def import_members(
    session: AsyncSession,
    tenant_id: int,
    parsed: ParsedMembers,
    progress: Progress = no_progress,
    rng: random.Random | None = None,
    consent_source: str = "import",
    history: bool = False,
) -> MemberImport:
    """Enrol the new members of a checked file; raise :class:`ImportRejected` (writing nothing) on a problem.

    ``rng`` makes card numbers reproducible (the demo); by default they come from :mod:`secrets`. A member
    joins (and consents) when the file's ``created_at`` says, else now. With ``history`` (the demo's own
    made-up past) the record is also dated then (``updated_at``), not at the import.
    """
    now = utcnow()
    label = parsed.table.label
    errors = list(parsed.errors)
    progress("checking", 0, None)
    enrolled = await _existing(session, tenant_id, Member.mobile, [m.mobile for m in parsed.members])
    result = MemberImport()
    new: list[NewMember] = []
    for member in parsed.members:
        if member.mobile in enrolled:
            result.skipped += 1
            result.skipped_lines.append(member.line)
        else:
            new.append(member)

    codes = await _existing(
        session, tenant_id, Member.national_code, [m.national_code for m in new if m.national_code]
    )
    cards = await _existing(
        session, tenant_id, Member.card_number, [m.card_number for m in new if m.card_number]
    )
    branch_rows = await session.execute(select(Branch.code, Branch.id).where(Branch.tenant_id == tenant_id))
    branches = {code: branch_id for code, branch_id in branch_rows}
    for member in new:
        if member.national_code in codes:
            errors.append(RowError(member.line, label("national_code"), _CODE_TAKEN))
        if member.card_number in cards:
            errors.append(RowError(member.line, label("card_number"), _CARD_TAKEN))
        if member.branch and member.branch not in branches:
            errors.append(RowError(member.line, label("branch"), no_branch(member.branch)))
    if errors:
        raise ImportRejected(errors)

    given = {m.card_number for m in new if m.card_number}
    fresh = iter(await _fresh_cards(session, tenant_id, sum(1 for m in new if not m.card_number), given, rng))
    ids = await bulk.allocate_ids(session, bulk.table_of(Member), len(new))
    rows = []
    for member_id, m in zip(ids, new, strict=True):
        # A member joins, and gives their consent on the enrolment form, when the file says they joined.
        joined = m.enrolled_at or now
        rows.append(
            (
                member_id,
                tenant_id,
                m.mobile,
                m.first_name,
                m.last_name,
                members.name_key(m.first_name, m.last_name),
                m.birth_date,
                m.gender,
                m.email,
                m.national_code,
                m.tags,
                "active",
                None,
                m.sms_consent,
                joined if m.sms_consent else None,
                consent_source if m.sms_consent else None,
                m.email_consent,
                joined if m.email_consent else None,
                consent_source if m.email_consent else None,
                m.card_number or next(fresh),
                branches[m.branch] if m.branch else None,
                joined,
                joined if history else now,
            )
        )
    progress("writing", 0, len(rows))
    async with bulk.unique_keys_of("members", "اعضا"):
        await bulk.insert_rows(session, bulk.table_of(Member), MEMBER_FIELDS, rows)
    await bulk.insert_rows(
        session,
        bulk.table_of(Account),
        ACCOUNT_FIELDS,
        (
            (tenant_id, ledger.POINTS, "member", member_id, 0, 0, m.enrolled_at or now)
            for member_id, m in zip(ids, new, strict=True)
        ),
    )
    progress("writing", len(rows), len(rows))
    result.created = len(rows)
    return result
