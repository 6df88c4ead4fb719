"""Exporting members, purchases and the ledger to CSV or XLSX, with the import's column names.

An exported members or purchases file imports back as "all skipped": the headers are the importer's
and every value is written in a form the importer reads. ``lang="fa"`` writes Persian headers and
Jalali dates (Tehran time) for people; ``"en"`` English headers and ISO dates with their offset.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bashgah.core.jalali import TEHRAN, to_jalali_str
from bashgah.core.normalize import local_mobile
from bashgah.core.sheets import CsvWriter, safe_row
from bashgah.importing.bulk import AnySelect
from bashgah.importing.columns import LEDGER_COLUMNS, MEMBER_COLUMNS, PURCHASE_COLUMNS, Column
from bashgah.importing.report import Progress, no_progress
from bashgah.models import Account, Branch, Member, Purchase, Transfer

EXPORTS = ("members", "purchases", "ledger")
FETCH = 5_000


class _Sink(Protocol):
    def write(self, row: Sequence[Any]) -> None: ...
    def close(self) -> None: ...


class _CsvSink:
    def __init__(self, path: Path, header: list[str]) -> None:
        # A BOM so that Excel shows Persian text instead of mojibake.
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = CsvWriter(self._file)
        self._writer.writerow(header)

    def write(self, row: Sequence[Any]) -> None:
        self._writer.writerow(["" if v is None else v for v in row])

    def close(self) -> None:
        self._file.close()


class _XlsxSink:
    def __init__(self, path: Path, header: list[str], title: str, rtl: bool) -> None:
        from openpyxl import Workbook

        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title)
        self._sheet.sheet_view.rightToLeft = rtl
        self._sheet.append(safe_row(header))

    def write(self, row: Sequence[Any]) -> None:
        self._sheet.append(safe_row(row))

    def close(self) -> None:
        self._book.save(self._path)


def sink_for(path: Path, columns: Sequence[Column], lang: str, title: str) -> _Sink:
    header = [c.fa if lang == "fa" else c.name for c in columns]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _XlsxSink(path, header, title, rtl=lang == "fa")
    if suffix in (".csv", ".txt"):
        return _CsvSink(path, header)
    raise ValueError("the file name must end in .csv or .xlsx")


class _Format:
    """How values are written: ISO or Jalali dates, mobiles as Iranians write them."""

    def __init__(self, lang: str) -> None:
        self.jalali = lang == "fa"

    def day(self, d: date | None) -> str:
        if d is None:
            return ""
        return to_jalali_str(d) if self.jalali else d.isoformat()

    def moment(self, at: datetime | None) -> str:
        if at is None:
            return ""
        local = at.astimezone(TEHRAN)
        if self.jalali:
            return f"{to_jalali_str(local.date())} {local:%H:%M:%S}"
        return local.isoformat(timespec="seconds")

    mobile = staticmethod(local_mobile)


async def _stream(session: AsyncSession, statement: AnySelect) -> AsyncIterator[Any]:
    result = await session.stream(statement.execution_options(yield_per=FETCH))
    async for row in result:
        yield row


def _columns(catalogue: tuple[Column, ...], names: Sequence[str]) -> list[Column]:
    by_name = {c.name: c for c in catalogue}
    return [by_name[name] for name in names]


MEMBER_EXPORT = (
    "member_id",
    "mobile",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "national_code",
    "email",
    "tags",
    "sms_consent",
    "email_consent",
    "card_number",
    "status",
    "points",
    "created_at",
)
PURCHASE_EXPORT = (
    "purchase_id",
    "branch",
    "external_id",
    "mobile",
    "member_id",
    "total_rials",
    "redeem_points",
    "occurred_at",
    "discount_rials",
    "points_earned",
    "refunded_rials",
)
LEDGER_EXPORT = tuple(c.name for c in LEDGER_COLUMNS)


async def export(
    session: AsyncSession,
    tenant_id: int,
    what: str,
    path: Path,
    lang: str = "en",
    progress: Progress = no_progress,
) -> int:
    """Write ``what`` (members | purchases | ledger) of the tenant to ``path``; return the row count."""
    fmt = _Format(lang)
    if what == "members":
        sink = sink_for(path, _columns(MEMBER_COLUMNS, MEMBER_EXPORT), lang, "members")
        total = await session.scalar(select(func.count(Member.id)).where(Member.tenant_id == tenant_id))
        rows = _member_rows(session, tenant_id, fmt)
    elif what == "purchases":
        sink = sink_for(path, _columns(PURCHASE_COLUMNS, PURCHASE_EXPORT), lang, "purchases")
        total = await session.scalar(select(func.count(Purchase.id)).where(Purchase.tenant_id == tenant_id))
        rows = _purchase_rows(session, tenant_id, fmt)
    elif what == "ledger":
        sink = sink_for(path, _columns(LEDGER_COLUMNS, LEDGER_EXPORT), lang, "ledger")
        total = await session.scalar(select(func.count(Transfer.id)).where(Transfer.tenant_id == tenant_id))
        rows = _ledger_rows(session, tenant_id, fmt)
    else:
        raise ValueError(f"export one of {', '.join(EXPORTS)}")
    count = 0
    progress("exporting", 0, total)
    try:
        async for row in rows:
            sink.write(row)
            count += 1
            if count % FETCH == 0:
                progress("exporting", count, total)
    finally:
        sink.close()
    progress("exporting", count, count)
    return count


def member_row(member: Member, posted: int, fmt: _Format) -> list[Any]:
    """One member as a line of the members file (the columns the members import reads back)."""
    return [
        member.id,
        fmt.mobile(member.mobile),
        member.first_name,
        member.last_name,
        fmt.day(member.birth_date),
        member.gender or "",
        member.national_code or "",
        member.email or "",
        ", ".join(member.tags or []),
        1 if member.sms_consent else 0,
        1 if member.email_consent else 0,
        member.card_number,
        member.status,
        posted,
        fmt.moment(member.created_at),
    ]


async def _member_rows(session: AsyncSession, tenant_id: int, fmt: _Format) -> AsyncIterator[list[Any]]:
    statement = (
        select(Member, Account.posted)
        .join(Account, (Account.member_id == Member.id) & (Account.asset == "points"))
        .where(Member.tenant_id == tenant_id)
        .order_by(Member.id)
    )
    async for member, posted in _stream(session, statement):
        yield member_row(member, posted, fmt)


async def _purchase_rows(session: AsyncSession, tenant_id: int, fmt: _Format) -> AsyncIterator[list[Any]]:
    statement = (
        select(Purchase, Branch.code, Member.mobile)
        .join(Branch, Branch.id == Purchase.branch_id)
        .join(Member, Member.id == Purchase.member_id)
        .where(Purchase.tenant_id == tenant_id)
        .order_by(Purchase.id)
    )
    async for purchase, branch, mobile in _stream(session, statement):
        yield [
            purchase.id,
            branch,
            purchase.external_id,
            fmt.mobile(mobile),
            purchase.member_id,
            purchase.total_rials,
            purchase.points_redeemed,
            fmt.moment(purchase.occurred_at),
            purchase.discount_rials,
            purchase.points_earned,
            purchase.refunded_rials,
        ]


async def _ledger_rows(session: AsyncSession, tenant_id: int, fmt: _Format) -> AsyncIterator[list[Any]]:
    debit, credit = aliased(Account), aliased(Account)
    member = aliased(Member)
    statement = (
        select(
            Transfer,
            debit.kind,
            debit.member_id,
            credit.kind,
            credit.member_id,
            member.mobile,
        )
        .join(debit, debit.id == Transfer.debit_account_id)
        .join(credit, credit.id == Transfer.credit_account_id)
        .outerjoin(member, member.id == func.coalesce(debit.member_id, credit.member_id))
        .where(Transfer.tenant_id == tenant_id)
        .order_by(Transfer.id)
    )
    async for transfer, debit_kind, debit_member, credit_kind, credit_member, mobile in _stream(
        session, statement
    ):
        yield [
            transfer.id,
            fmt.moment(transfer.created_at),
            transfer.code,
            transfer.amount,
            f"member {debit_member}" if debit_member else debit_kind,
            f"member {credit_member}" if credit_member else credit_kind,
            debit_member or credit_member or "",
            fmt.mobile(mobile),
            transfer.ref_type or "",
            transfer.ref_id if transfer.ref_id is not None else "",
            transfer.reason or "",
            transfer.actor or "",
        ]
