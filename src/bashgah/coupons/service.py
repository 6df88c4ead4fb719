"""Coupon batches and their codes: generation, the till's check, and spending a code on a sale.

A sale spends a code under locks taken in one order — the member's account (by the caller), then the
code's row, then the batch's row when the batch has a total limit — and counts the uses under them,
so no limit is ever passed however many tills try at once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import BashgahError, InvalidInput, NotFound, Show
from bashgah.core.rows import owned, read_of, row_of
from bashgah.core.sheets import CsvWriter
from bashgah.coupons import rules
from bashgah.coupons.errors import CouponCodeTaken, CouponRefused, CouponUnknown
from bashgah.coupons.schemas import (
    BatchCreate,
    BatchRead,
    BatchUpdate,
    CouponCheck,
    CouponVerdict,
    Discount,
    MemberCouponRead,
)
from bashgah.exports import service as exports
from bashgah.members import service as members
from bashgah.models import CouponBatch, CouponCode, CouponUse, Member, utcnow

_codes = cast(Table, CouponCode.__table__)
_use_rows = cast(Table, CouponUse.__table__)
_CHUNK = 10_000
_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}


def _terms(b: CouponBatch) -> rules.Terms:
    return rules.Terms(
        b.discount_type,
        b.discount_value,
        b.max_discount_rials,
        b.min_basket_rials,
        b.valid_from,
        b.valid_until,
        b.max_uses,
        b.max_uses_per_code,
        b.max_uses_per_member,
        b.active,
    )


# --- batches -----------------------------------------------------------------------------------------


async def create_batch(session: AsyncSession, tenant_id: int, data: BatchCreate) -> BatchRead:
    universal = None
    prefix = rules.normalize_code(data.prefix)
    if data.code is not None:
        universal = rules.normalize_code(data.code)
        if len(universal) < 3 or universal != data.code.strip().upper():
            raise InvalidInput(
                "code", "use 3 to 32 Latin letters and digits", "۳ تا ۳۲ حرف لاتین و رقم", "کد"
            )
    elif prefix != data.prefix.upper():
        raise InvalidInput("prefix", "use Latin letters and digits", "فقط حرف لاتین و رقم", "پیشوند")
    else:
        rules.check_room(data.count or 0, data.length)
    per_code = data.max_uses_per_code
    if universal is None and per_code is None:
        per_code = 1  # a generated code is a personal, single-use code unless said otherwise
    batch = row_of(
        CouponBatch,
        data,
        tenant_id=tenant_id,
        kind="universal" if universal else "unique",
        discount_value=data.discount_value,
        valid_from=data.valid_from or utcnow(),
        max_uses_per_code=per_code,
        code_count=1 if universal else data.count,
        created_at=utcnow(),
    )
    session.add(batch)
    await session.flush()
    if universal:
        if not await _insert_codes(session, tenant_id, batch.id, [universal]):
            raise CouponCodeTaken(universal)
    else:
        await _generate(session, tenant_id, batch.id, data.count or 0, data.length, prefix)
    return _read(batch, universal, 0, 0)


async def _insert_codes(session: AsyncSession, tenant_id: int, batch_id: int, codes: list[str]) -> int:
    """Insert codes, skipping any the club already has; how many went in."""
    connection = await session.connection()
    statement = (
        _DIALECTS[connection.dialect.name]
        .insert(_codes)
        .on_conflict_do_nothing(index_elements=["tenant_id", "code"])
    )
    for start in range(0, len(codes), _CHUNK):
        await connection.execute(
            statement,
            [
                {"tenant_id": tenant_id, "batch_id": batch_id, "code": c}
                for c in codes[start : start + _CHUNK]
            ],
        )
    count = await session.scalar(
        select(func.count()).select_from(_codes).where(_codes.c.batch_id == batch_id)
    )
    return int(count or 0)


async def _generate(
    session: AsyncSession, tenant_id: int, batch_id: int, count: int, length: int, prefix: str
) -> None:
    # The unique index decides: codes another batch already has are skipped, and new ones drawn for them.
    have = 0
    for _ in range(20):
        have = await _insert_codes(
            session, tenant_id, batch_id, sorted(rules.random_codes(count - have, length, prefix))
        )
        if have == count:
            return
    raise BashgahError("could not draw enough unique codes; use longer codes")


async def _batch(session: AsyncSession, tenant_id: int, batch_id: int) -> CouponBatch:
    return await owned(session, CouponBatch, tenant_id, batch_id, ("Coupon batch", "دستهٔ کد تخفیف"))


def _read(b: CouponBatch, code: str | None, uses: int, given: int) -> BatchRead:
    return read_of(
        BatchRead,
        b,
        **Discount.stored(b.discount_type, b.discount_value),
        code=code,
        uses=uses,
        discount_given_rials=given,
    )


async def list_batches(
    session: AsyncSession,
    tenant_id: int,
    batch_id: int | None = None,
    before: int | None = None,
    limit: int | None = None,
) -> list[BatchRead]:
    """Newest first; ``limit`` of them older than the id ``before`` when given."""
    query = select(CouponBatch).where(CouponBatch.tenant_id == tenant_id).order_by(CouponBatch.id.desc())
    if batch_id is not None:
        query = query.where(CouponBatch.id == batch_id)
    if before is not None:
        query = query.where(CouponBatch.id < before)
    query = query.limit(limit)
    batches = (await session.scalars(query)).all()
    if not batches:
        return []
    ids = [b.id for b in batches]
    totals = {
        i: (n, int(s))
        for i, n, s in await session.execute(
            select(CouponUse.batch_id, func.count(), func.coalesce(func.sum(CouponUse.discount_rials), 0))
            .where(CouponUse.batch_id.in_(ids), CouponUse.returned_at.is_(None))
            .group_by(CouponUse.batch_id)
        )
    }
    universal = {
        i: c
        for i, c in await session.execute(
            select(CouponCode.batch_id, CouponCode.code).where(
                CouponCode.batch_id.in_([b.id for b in batches if b.kind == "universal"])
            )
        )
    }
    return [_read(b, universal.get(b.id), *totals.get(b.id, (0, 0))) for b in batches]


async def update_batch(session: AsyncSession, tenant_id: int, batch_id: int, data: BatchUpdate) -> BatchRead:
    """Change when a batch's codes are valid, or switch it off and on (no code of it is accepted while
    off). The end must come after the start."""
    batch = await _batch(session, tenant_id, batch_id)
    fields = data.model_dump(exclude_unset=True)
    if fields.get("valid_from") is not None:
        batch.valid_from = fields["valid_from"]
    if "valid_until" in fields:
        batch.valid_until = fields["valid_until"]
    if fields.get("active") is not None:
        batch.active = fields["active"]
    if batch.valid_until is not None and batch.valid_until <= batch.valid_from:
        raise InvalidInput("valid_until", "must be after the start", "باید بعد از شروع باشد", "پایان اعتبار")
    await session.flush()
    return await get_batch(session, tenant_id, batch_id)


async def get_batch(session: AsyncSession, tenant_id: int, batch_id: int) -> BatchRead:
    found = await list_batches(session, tenant_id, batch_id)
    if not found:
        raise NotFound("Coupon batch", "دستهٔ کد تخفیف")
    return found[0]


async def codes_csv(session: AsyncSession, who: Principal, batch_id: int) -> str:
    """The batch's codes with how many times each was used (uses given back by refunds not counted).

    Unused single-use codes are as good as money: owners and managers only (analysts if the club allows),
    and the download is written in the audit log."""
    await exports.require_export(session, who)
    tenant_id = who.tenant_id
    await _batch(session, tenant_id, batch_id)
    used = (
        select(CouponUse.code_id, func.count().label("n"))
        .where(CouponUse.batch_id == batch_id, CouponUse.returned_at.is_(None))
        .group_by(CouponUse.code_id)
        .subquery()
    )
    rows = await session.execute(
        select(CouponCode.code, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.code_id == CouponCode.id)
        .where(CouponCode.batch_id == batch_id)
        .order_by(CouponCode.id)
    )
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\n")
    writer.writerow(["code", "uses"])
    written = rows.all()
    writer.writerows(written)
    await exports.record(
        session, who, "coupons.codes_exported", "coupon_batch", batch_id, len(written), "csv"
    )
    return out.getvalue()


# --- using a code ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spent:
    batch_id: int
    code_id: int
    discount_rials: int


async def _uses(session: AsyncSession, batch: CouponBatch, code_id: int, member_id: int) -> rules.Uses:
    live = CouponUse.returned_at.is_(None)
    count = select(func.count()).select_from(CouponUse)
    of_code = await session.scalar(count.where(CouponUse.code_id == code_id, live))
    of_batch = 0
    if batch.max_uses is not None:
        of_batch = int(await session.scalar(count.where(CouponUse.batch_id == batch.id, live)) or 0)
    by_member = 0
    if batch.max_uses_per_member is not None:
        by_member = int(
            await session.scalar(
                count.where(CouponUse.batch_id == batch.id, CouponUse.member_id == member_id, live)
            )
            or 0
        )
    return rules.Uses(int(of_code or 0), of_batch, by_member)


async def _find(
    session: AsyncSession, tenant_id: int, raw: str, lock: bool
) -> tuple[int, int | None, CouponBatch]:
    """(code id, the member it was given to or None, its batch)."""
    code = rules.normalize_code(raw)
    query = (
        select(CouponCode.id, CouponCode.member_id, CouponBatch)
        .join(CouponBatch, CouponBatch.id == CouponCode.batch_id)
        .where(CouponCode.tenant_id == tenant_id, CouponCode.code == code)
    )
    if lock:
        query = query.with_for_update(of=CouponCode)
    row = (await session.execute(query)).first()
    if row is None:
        raise CouponUnknown()
    return row[0], row[1], row[2]


async def spend(
    session: AsyncSession, tenant_id: int, raw_code: str, member_id: int, total_rials: int, now: datetime
) -> Spent:
    """Lock the code (the caller holds the member's account lock) and check it may be used; the use is
    written by :func:`record_use` once the purchase has its id, before the transaction ends."""
    code_id, owner_id, batch = await _find(session, tenant_id, raw_code, lock=True)
    if batch.max_uses is not None:
        await session.execute(select(CouponBatch.id).where(CouponBatch.id == batch.id).with_for_update())
    uses = await _uses(session, batch, code_id, member_id)
    terms = _terms(batch)
    why = rules.refusal(terms, uses, total_rials, now, owner_id, member_id)
    if why is not None:
        raise CouponRefused.of(why[0], **why[1])
    return Spent(batch.id, code_id, rules.discount(terms, total_rials))


async def record_use(
    session: AsyncSession, tenant_id: int, spent: Spent, member_id: int, purchase_id: int, now: datetime
) -> None:
    connection = await session.connection()
    await connection.execute(
        _use_rows.insert(),
        {
            "tenant_id": tenant_id,
            "batch_id": spent.batch_id,
            "code_id": spent.code_id,
            "member_id": member_id,
            "purchase_id": purchase_id,
            "discount_rials": spent.discount_rials,
            "returned_at": None,
            "created_at": now,
        },
    )


async def discount_of(session: AsyncSession, purchase_id: int) -> int:
    """The coupon discount a purchase had (0 without a coupon)."""
    value = await session.scalar(select(CouponUse.discount_rials).where(CouponUse.purchase_id == purchase_id))
    return int(value or 0)


async def give_back(session: AsyncSession, purchase_id: int, now: datetime) -> None:
    """A purchase refunded in full gives its coupon use back."""
    await session.execute(
        update(CouponUse)
        .where(CouponUse.purchase_id == purchase_id, CouponUse.returned_at.is_(None))
        .values(returned_at=now)
    )


async def check(
    session: AsyncSession, who: Principal, data: CouponCheck, lang: str, show: Show | None = None
) -> CouponVerdict:
    """What the coupon would do for this member and basket now, and why not; writes and locks nothing.
    ``show`` writes the figures of the reason (a page passes its own; the API's default is plain)."""
    code = rules.normalize_code(data.code)
    member: Member
    if data.member.id is not None:
        member = await members.get(session, who.tenant_id, data.member.id)
    elif data.member.mobile is not None:
        member = await members.get_by_mobile(session, who.tenant_id, data.member.mobile)
    else:
        member = await members.get_by_card(session, who.tenant_id, data.member.card or "")
    try:
        code_id, owner_id, batch = await _find(session, who.tenant_id, code, lock=False)
    except CouponUnknown as error:
        return CouponVerdict(valid=False, code=code, reason_code=error.code, reason=error.message(lang, show))
    terms = _terms(batch)
    uses = await _uses(session, batch, code_id, member.id)
    why = rules.refusal(terms, uses, data.total_rials, utcnow(), owner_id, member.id)
    if why is not None:
        refused = CouponRefused.of(why[0], **why[1])
        return CouponVerdict(
            valid=False,
            code=code,
            batch_id=batch.id,
            reason_code=refused.code,
            reason=refused.message(lang, show),
        )
    return CouponVerdict(
        valid=True, code=code, batch_id=batch.id, discount_rials=rules.discount(terms, data.total_rials)
    )


async def would_discount(
    session: AsyncSession, tenant_id: int, raw_code: str, member_id: int, total: int
) -> int:
    """The discount a code would give now (0 when it would be refused), for dry runs; locks nothing."""
    try:
        code_id, owner_id, batch = await _find(session, tenant_id, raw_code, lock=False)
    except CouponUnknown:
        return 0
    terms = _terms(batch)
    uses = await _uses(session, batch, code_id, member_id)
    if rules.refusal(terms, uses, total, utcnow(), owner_id, member_id) is not None:
        return 0
    return rules.discount(terms, total)


#: Length of a code drawn for one member (the batch's own length is not kept): 25^10 codes.
_GIVEN_LENGTH = 10


async def give_code(
    session: AsyncSession, tenant_id: int, batch_id: int, member_id: int
) -> tuple[str, CouponBatch] | None:
    """Draw a new code of a batch of unique codes for one member (a campaign's ``issue_coupon``); None
    when the batch is universal or gone. The unique index decides, as in generation."""
    batch = await session.scalar(
        select(CouponBatch).where(CouponBatch.tenant_id == tenant_id, CouponBatch.id == batch_id)
    )
    if batch is None or batch.kind != "unique":
        return None
    connection = await session.connection()
    statement = (
        _DIALECTS[connection.dialect.name]
        .insert(_codes)
        .on_conflict_do_nothing(index_elements=["tenant_id", "code"])
        .returning(_codes.c.id)
    )
    for _ in range(20):
        code = rules.random_codes(1, _GIVEN_LENGTH, "").pop()
        row = {"tenant_id": tenant_id, "batch_id": batch.id, "code": code, "member_id": member_id}
        if (await connection.execute(statement, row)).first() is not None:
            await session.execute(
                update(CouponBatch)
                .where(CouponBatch.id == batch.id)
                .values(code_count=CouponBatch.code_count + 1)
                .execution_options(synchronize_session=False)
            )
            return code, batch
    raise BashgahError("could not draw a unique coupon code")


async def member_coupons(
    session: AsyncSession, tenant_id: int, member_id: int, before: int | None = None, limit: int | None = None
) -> list[MemberCouponRead]:
    """The codes campaigns gave a member, newest first (``limit`` of them older than the code id
    ``before`` when given), each with its terms and whether it is used up or expired."""
    live_uses = (
        select(func.count())
        .select_from(CouponUse)
        .where(CouponUse.code_id == CouponCode.id, CouponUse.returned_at.is_(None))
        .scalar_subquery()
    )
    query = (
        select(CouponCode.id, CouponCode.code, CouponBatch, live_uses)
        .join(CouponBatch, CouponBatch.id == CouponCode.batch_id)
        .where(CouponCode.tenant_id == tenant_id, CouponCode.member_id == member_id)
        .order_by(CouponCode.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(CouponCode.id < before)
    rows = await session.execute(query)
    now = utcnow()
    return [
        MemberCouponRead(
            id=code_id,
            code=code,
            batch_id=b.id,
            name=b.name,
            **Discount.stored(b.discount_type, b.discount_value),
            max_discount_rials=b.max_discount_rials,
            min_basket_rials=b.min_basket_rials,
            valid_until=b.valid_until,
            usable=b.active
            and (b.max_uses_per_code is None or uses < b.max_uses_per_code)
            and (b.valid_until is None or b.valid_until > now),
        )
        for code_id, code, b, uses in rows
    ]
