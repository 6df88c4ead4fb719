"""Segments: named groups of members, by conditions (dynamic) or by list (static).

A dynamic segment is evaluated when asked — its definition compiles to one SQL query over ``members``
(see :mod:`bashgah.segments.conditions`); nothing about its members is stored but the scores of the
last ``bashgah jobs run scores`` (:mod:`bashgah.segments.tasks`). A static segment is the
rows of ``segment_members``. :func:`is_member` answers for one member, cheaply enough to be asked on
every sale by a campaign condition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import Conflict, InvalidInput, InvalidPhone, InvalidState, NotFound
from bashgah.core.jalali import utcnow
from bashgah.core.normalize import normalize_phone
from bashgah.importing.columns import MEMBER_COLUMNS
from bashgah.importing.export import MEMBER_EXPORT, _Format, member_row, sink_for
from bashgah.importing.report import ImportRejected, RowError, Words
from bashgah.importing.sources import read_file
from bashgah.models import Account, Branch, Member, Segment, TierLevel
from bashgah.segments import repository
from bashgah.segments.conditions import Condition, branch_codes, tier_codes
from bashgah.segments.lists import MobileList as MobileList  # re-exported: callers read them here
from bashgah.segments.lists import read_mobiles
from bashgah.segments.predicate import Context, compile_condition, members_t
from bashgah.segments.repository import StaticChange as StaticChange
from bashgah.segments.repository import segment_members_t
from bashgah.segments.schemas import CONDITION, SegmentCreate, SegmentUpdate


class SegmentNameTaken(Conflict):
    code = "segment_name_taken"
    message_en = "There is already a segment named {name}."
    message_fa = "بخشی با نام «{name}» از قبل وجود دارد."

    def __init__(self, name: str) -> None:
        super().__init__(None, name=name)


def _not_found() -> NotFound:
    return NotFound("Segment", "بخش مشتریان")


def _not_static() -> InvalidState:
    return InvalidState(
        "only a static segment has members added or imported; a dynamic one follows its conditions",
        "فقط به بخش ثابت می‌توان عضو افزود؛ بخش پویا از شرط‌هایش پیروی می‌کند",
    )


async def _dialect(session: AsyncSession) -> str:
    return (await session.connection()).dialect.name


# --- the segments themselves ----------------------------------------------------------------------


async def _check_name(session: AsyncSession, tenant_id: int, name: str, segment_id: int | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("name", "the name is empty", "نام خالی است", "نام")
    other = await session.scalar(
        select(Segment.id).where(
            Segment.tenant_id == tenant_id, Segment.name == name, Segment.deleted_at.is_(None)
        )
    )
    if other is not None and other != segment_id:
        raise SegmentNameTaken(name)
    return name


async def _check_codes(session: AsyncSession, tenant_id: int, definition: Condition) -> None:
    """Branch and tier codes the definition names must exist in the club."""
    for model, named, en, fa in (
        (Branch, branch_codes(definition), "branch", "شعبه‌ای"),
        (TierLevel, tier_codes(definition), "tier level", "سطحی"),
    ):
        missing = await repository.missing_codes(session, tenant_id, model, named)
        if missing:
            raise InvalidInput(
                "definition",
                f"no {en} with code {', '.join(missing)}",
                f"{fa} با کد {'، '.join(missing)} نیست",
                "شرط‌ها",
            )


def _stored(definition: Condition) -> dict[str, Any]:
    dumped: dict[str, Any] = CONDITION.dump_python(definition, mode="json")
    return dumped


async def create(session: AsyncSession, tenant_id: int, data: SegmentCreate) -> Segment:
    name = await _check_name(session, tenant_id, data.name, None)
    if data.definition is not None:
        await _check_codes(session, tenant_id, data.definition)
    now = utcnow()
    segment = Segment(
        tenant_id=tenant_id,
        name=name,
        description=data.description,
        kind=data.kind,
        definition=_stored(data.definition) if data.definition is not None else None,
        created_at=now,
        updated_at=now,
    )
    session.add(segment)
    await session.flush()
    return segment


async def list_segments(session: AsyncSession, tenant_id: int) -> list[Segment]:
    found = await session.scalars(
        select(Segment)
        .where(Segment.tenant_id == tenant_id, Segment.deleted_at.is_(None))
        .order_by(Segment.id)
    )
    return list(found.all())


async def get(session: AsyncSession, tenant_id: int, segment_id: int) -> Segment:
    segment = await session.scalar(
        select(Segment).where(
            Segment.tenant_id == tenant_id, Segment.id == segment_id, Segment.deleted_at.is_(None)
        )
    )
    if segment is None:
        raise _not_found()
    return segment


async def update(session: AsyncSession, tenant_id: int, segment_id: int, data: SegmentUpdate) -> Segment:
    segment = await get(session, tenant_id, segment_id)
    fields = data.model_fields_set
    if data.name is not None:
        segment.name = await _check_name(session, tenant_id, data.name, segment.id)
    if "description" in fields:
        segment.description = data.description
    if data.definition is not None:
        if segment.kind != "dynamic":
            raise _not_static_definition()
        await _check_codes(session, tenant_id, data.definition)
        segment.definition = _stored(data.definition)
    segment.updated_at = utcnow()
    await session.flush()
    _forget(session, tenant_id, segment.id)
    return segment


def _not_static_definition() -> InvalidState:
    return InvalidState(
        "a static segment has no conditions", "بخش ثابت شرط ندارد؛ اعضایش را اضافه یا وارد کنید"
    )


async def delete_segment(session: AsyncSession, tenant_id: int, segment_id: int) -> Segment:
    """Soft delete: the segment disappears from lists and matches nobody; the row stays."""
    segment = await get(session, tenant_id, segment_id)
    segment.deleted_at = segment.updated_at = utcnow()
    await session.flush()
    _forget(session, tenant_id, segment.id)
    return segment


# --- evaluation -----------------------------------------------------------------------------------


def definition_of(segment: Segment) -> Condition | None:
    return CONDITION.validate_python(segment.definition) if segment.definition is not None else None


async def _predicate(
    session: AsyncSession,
    tenant_id: int,
    segment_id: int,
    definition: Condition | None,
    at: datetime | None,
) -> ColumnElement[bool]:
    if definition is None:
        return members_t.c.id.in_(
            select(segment_members_t.c.member_id).where(segment_members_t.c.segment_id == segment_id)
        )
    return await predicate(session, tenant_id, definition, at)


async def predicate(
    session: AsyncSession,
    tenant_id: int,
    definition: Condition,
    at: datetime | None = None,
    only_member: int | None = None,
) -> ColumnElement[bool]:
    """The SQL predicate on ``members`` of a definition at ``at`` (default: now), for any query to use
    beside ``members.tenant_id == tenant_id``. RFM groups, CLV scores and churn ratios are read from
    ``member_scores`` as the last ``bashgah jobs run scores`` stored them (whatever ``at``).
    ``only_member``: the query asks about that member alone (``members.id == only_member``)."""
    context = Context(tenant_id, at or utcnow(), await _dialect(session), only_member)
    return compile_condition(definition, context)


async def count(session: AsyncSession, tenant_id: int, segment_id: int, at: datetime | None = None) -> int:
    segment = await get(session, tenant_id, segment_id)
    predicate = await _predicate(session, tenant_id, segment.id, definition_of(segment), at)
    return await repository.count_members(session, tenant_id, predicate)


async def preview(
    session: AsyncSession, tenant_id: int, definition: Condition, at: datetime | None = None
) -> int:
    """How many members a definition matches, without saving anything."""
    await _check_codes(session, tenant_id, definition)
    predicate = await _predicate(session, tenant_id, 0, definition, at)
    return await repository.count_members(session, tenant_id, predicate)


async def list_members(
    session: AsyncSession,
    tenant_id: int,
    segment_id: int,
    after: int | None = None,
    limit: int = 50,
    at: datetime | None = None,
) -> tuple[list[Member], int | None]:
    """One page of the segment's members in id order, and the ``after`` of the next page (or None)."""
    segment = await get(session, tenant_id, segment_id)
    predicate = await _predicate(session, tenant_id, segment.id, definition_of(segment), at)
    statement = select(Member).where(Member.tenant_id == tenant_id, predicate)
    if after is not None:
        statement = statement.where(Member.id > after)
    page = list((await session.scalars(statement.order_by(Member.id).limit(limit + 1))).all())
    more = len(page) > limit
    page = page[:limit]
    return page, page[-1].id if more else None


async def export(
    session: AsyncSession,
    tenant_id: int,
    segment_id: int,
    path: Path,
    lang: str = "en",
    at: datetime | None = None,
) -> int:
    """Write the segment's members to a CSV or XLSX file, in the members export's columns (so the file
    imports back as members, or as a static segment). Returns the number of members written."""
    segment = await get(session, tenant_id, segment_id)
    predicate = await _predicate(session, tenant_id, segment.id, definition_of(segment), at)
    by_name = {c.name: c for c in MEMBER_COLUMNS}
    sink = sink_for(path, [by_name[name] for name in MEMBER_EXPORT], lang, "segment")
    fmt = _Format(lang)
    statement = (
        select(Member, Account.posted)
        .join(Account, (Account.member_id == Member.id) & (Account.asset == "points"))
        .where(Member.tenant_id == tenant_id, predicate)
        .order_by(Member.id)
        .execution_options(yield_per=5_000)
    )
    written = 0
    try:
        async for member, posted in await session.stream(statement):
            sink.write(member_row(member, posted, fmt))
            written += 1
    finally:
        sink.close()
    return written


# --- is_member: the campaign condition ------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    live: bool
    definition: Condition | None


#: A segment's kind and parsed definition, read on every sale that asks. Edits in this process are seen
#: at once; edits by another process within ``ttl`` seconds.
_definitions: TTLCache[tuple[str, int, int], _Cached] = TTLCache(ttl=5)


def _forget(session: AsyncSession, tenant_id: int, segment_id: int) -> None:
    _definitions.invalidate((scope(session), tenant_id, segment_id))


async def is_member(
    session: AsyncSession, tenant_id: int, segment_id: int, member_id: int, at: datetime | None = None
) -> bool:
    """Whether the member is in the segment at ``at`` (default: now).

    One primary-key look-up for a static segment; for a dynamic one, the segment's predicate on the one
    member row (its purchase windows use the purchases-by-member index). An unknown, deleted or other
    tenant's segment matches nobody (False) rather than failing the sale that asked. Purchases flushed
    earlier in the same transaction count. An ``rfm_group``, ``clv`` or ``churn_risk`` condition reads
    the member's row of ``member_scores`` (the last ``jobs run scores``): no scoring on the sale path.
    """
    key = (scope(session), tenant_id, segment_id)
    entry = _definitions.get(key)
    if entry is None:
        row = (
            await session.execute(
                select(Segment.deleted_at, Segment.definition).where(
                    Segment.tenant_id == tenant_id, Segment.id == segment_id
                )
            )
        ).first()
        if row is None:
            entry = _Cached(live=False, definition=None)
        else:
            definition = CONDITION.validate_python(row[1]) if row[1] is not None else None
            entry = _Cached(live=row[0] is None, definition=definition)
        _definitions.set(key, entry)
    if not entry.live:
        return False
    if entry.definition is None:
        found = await session.scalar(
            select(literal(1)).where(
                segment_members_t.c.segment_id == segment_id, segment_members_t.c.member_id == member_id
            )
        )
        return found is not None
    where = await predicate(session, tenant_id, entry.definition, at, only_member=member_id)
    found = await session.scalar(
        select(literal(1))
        .select_from(members_t)
        .where(members_t.c.tenant_id == tenant_id, members_t.c.id == member_id, where)
    )
    return found is not None


# --- static segments: adding, removing, importing -------------------------------------------------


async def _static(session: AsyncSession, tenant_id: int, segment_id: int) -> Segment:
    segment = await get(session, tenant_id, segment_id)
    if segment.kind != "static":
        raise _not_static()
    return segment


async def add_members(
    session: AsyncSession,
    tenant_id: int,
    segment_id: int,
    mobiles: Sequence[str] = (),
    member_ids: Sequence[int] = (),
) -> StaticChange:
    """Add members (by mobile in any form, or id) to a static segment. Any unknown one adds nothing."""
    segment = await _static(session, tenant_id, segment_id)
    normalised: list[str] = []
    for raw in mobiles:
        try:
            normalised.append(normalize_phone(raw))
        except InvalidPhone:
            raise InvalidInput(
                "mobiles", "not a valid mobile number", "شماره موبایل معتبر نیست", "شماره‌های موبایل"
            ) from None
    by_mobile = await repository.ids_by_mobile(session, tenant_id, normalised)
    known_ids = await repository.existing_ids(session, tenant_id, member_ids)
    unknown = len(set(normalised) - set(by_mobile)) + len(set(member_ids) - known_ids)
    if unknown:
        raise InvalidInput(
            "members",
            f"{unknown} of them are not members of the club; nothing was added",
            f"{unknown} مورد عضو باشگاه نیست؛ چیزی اضافه نشد",
            "اعضا",
        )
    change = await repository.put_members(
        session, tenant_id, segment.id, set(by_mobile.values()) | known_ids, replace=False
    )
    segment.updated_at = utcnow()
    return change


async def remove_member(session: AsyncSession, tenant_id: int, segment_id: int, member_id: int) -> None:
    segment = await _static(session, tenant_id, segment_id)
    result = await session.execute(
        delete(segment_members_t).where(
            segment_members_t.c.segment_id == segment.id, segment_members_t.c.member_id == member_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound("Member of this segment", "عضو این بخش")
    segment.updated_at = utcnow()


async def import_file(
    session: AsyncSession, tenant_id: int, segment_id: int, path: Path, replace: bool = False
) -> StaticChange:
    """Add the members of a CSV or XLSX list (a ``mobile`` column, any form) to a static segment, or make
    them its members with ``replace``. Any bad or unknown mobile rejects the file, line by line, and
    nothing changes."""
    segment = await _static(session, tenant_id, segment_id)
    listed = read_mobiles(read_file(path, MEMBER_COLUMNS))
    by_mobile = await repository.ids_by_mobile(session, tenant_id, list(listed.mobiles))
    errors = listed.errors + [
        RowError(
            line,
            listed.label,
            Words("no member of the club has this mobile", "هیچ عضو باشگاه این موبایل را ندارد"),
        )
        for mobile, line in listed.mobiles.items()
        if mobile not in by_mobile
    ]
    if errors:
        raise ImportRejected(errors)
    change = await repository.put_members(session, tenant_id, segment.id, set(by_mobile.values()), replace)
    segment.updated_at = utcnow()
    return change
