from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.rows import read_of
from bashgah.exports import service as exports
from bashgah.http.deps import ApiKeyDep, LangDep, run
from bashgah.http.paging import Page, PageDep, PageQuery, cursor_for, page_of, paging
from bashgah.members.schemas import MemberRead
from bashgah.models import Segment
from bashgah.segments import service
from bashgah.segments.schemas import (
    SegmentCount,
    SegmentCreate,
    SegmentPreview,
    SegmentRead,
    SegmentUpdate,
    StaticMembersAdd,
    StaticMembersAdded,
)

router = APIRouter(prefix="/api/v1/segments", tags=["segments"])

#: Integrations (a CRM, an SMS panel) read segments; cashiers do not see them at all.
READERS = (*MANAGERS, "integration")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def _read(segment: Segment) -> SegmentRead:
    return read_of(SegmentRead, segment)


@router.post("", status_code=201, response_model=SegmentRead)
async def create_segment(request: Request, body: SegmentCreate, key: ApiKeyDep) -> SegmentRead:
    async def work(session: AsyncSession, who: Principal) -> SegmentRead:
        return _read(await service.create(session, who.tenant_id, body))

    return await run(request, key, work, roles=MANAGERS)


@router.get("", response_model=Page[SegmentRead])
async def list_segments(request: Request, key: ApiKeyDep, at: PageDep) -> Page[SegmentRead]:
    async def work(session: AsyncSession, who: Principal) -> Page[SegmentRead]:
        found = [_read(s) for s in await service.list_segments(session, who.tenant_id)]
        return page_of(found, at, lambda s: s.id)

    return await run(request, key, work, roles=READERS)


@router.post("/preview", response_model=SegmentCount)
async def preview_segment(request: Request, body: SegmentPreview, key: ApiKeyDep) -> SegmentCount:
    """Count the members a definition matches, without saving it."""

    async def work(session: AsyncSession, who: Principal) -> SegmentCount:
        return SegmentCount(count=await service.preview(session, who.tenant_id, body.definition))

    return await run(request, key, work, roles=MANAGERS)


@router.get("/{segment_id}", response_model=SegmentRead)
async def get_segment(request: Request, segment_id: int, key: ApiKeyDep) -> SegmentRead:
    async def work(session: AsyncSession, who: Principal) -> SegmentRead:
        return _read(await service.get(session, who.tenant_id, segment_id))

    return await run(request, key, work, roles=READERS)


@router.patch("/{segment_id}", response_model=SegmentRead)
async def update_segment(
    request: Request, segment_id: int, body: SegmentUpdate, key: ApiKeyDep
) -> SegmentRead:
    async def work(session: AsyncSession, who: Principal) -> SegmentRead:
        return _read(await service.update(session, who.tenant_id, segment_id, body))

    return await run(request, key, work, roles=MANAGERS)


@router.delete("/{segment_id}", status_code=204)
async def delete_segment(request: Request, segment_id: int, key: ApiKeyDep) -> Response:
    async def work(session: AsyncSession, who: Principal) -> None:
        await service.delete_segment(session, who.tenant_id, segment_id)

    await run(request, key, work, roles=MANAGERS)
    return Response(status_code=204)


@router.get("/{segment_id}/count", response_model=SegmentCount)
async def count_segment(request: Request, segment_id: int, key: ApiKeyDep) -> SegmentCount:
    async def work(session: AsyncSession, who: Principal) -> SegmentCount:
        return SegmentCount(count=await service.count(session, who.tenant_id, segment_id))

    return await run(request, key, work, roles=READERS)


@router.get("/{segment_id}/members", response_model=Page[MemberRead])
async def segment_members(
    request: Request,
    segment_id: int,
    key: ApiKeyDep,
    at: Annotated[PageQuery, Depends(paging(old="after"))],
) -> Page[MemberRead]:
    """The segment's members in id order."""

    async def work(session: AsyncSession, who: Principal) -> Page[MemberRead]:
        found, last = await service.list_members(session, who.tenant_id, segment_id, at.position, at.limit)
        return Page(items=[MemberRead.of(m) for m in found], next_cursor=cursor_for(last))

    return await run(request, key, work, roles=READERS)


@router.get("/{segment_id}/export", response_class=Response)
async def export_segment(
    request: Request, segment_id: int, key: ApiKeyDep, lang: LangDep, format: ExportFormat = ExportFormat.csv
) -> Response:
    """The segment's members as a CSV or XLSX file with the members export's columns (Persian headers and
    Jalali dates when the caller asks for Persian, the default). The file imports back. Owners and
    managers only; every download is written in the audit log."""

    async def work(session: AsyncSession, who: Principal) -> bytes:
        # A file of members' mobiles leaves the club for good: owners and managers (not integrations,
        # which page through the members above).
        await exports.require_export(session, who)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"segment.{format.value}"
            rows = await service.export(session, who.tenant_id, segment_id, path, lang)
            await exports.record(session, who, "segments.exported", "segment", segment_id, rows, format.value)
            return path.read_bytes()

    content = await run(request, key, work)
    name = f"segment-{segment_id}.{format.value}"
    return Response(
        content,
        media_type=XLSX if format is ExportFormat.xlsx else "text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/{segment_id}/members", response_model=StaticMembersAdded)
async def add_segment_members(
    request: Request, segment_id: int, body: StaticMembersAdd, key: ApiKeyDep
) -> StaticMembersAdded:
    """Add members to a static segment by mobile (any form) or id; an unknown one adds nothing."""

    async def work(session: AsyncSession, who: Principal) -> StaticMembersAdded:
        change = await service.add_members(session, who.tenant_id, segment_id, body.mobiles, body.member_ids)
        return StaticMembersAdded(added=change.added, already=change.already)

    return await run(request, key, work, roles=MANAGERS)


@router.delete("/{segment_id}/members/{member_id}", status_code=204)
async def remove_segment_member(
    request: Request, segment_id: int, member_id: int, key: ApiKeyDep
) -> Response:
    async def work(session: AsyncSession, who: Principal) -> None:
        await service.remove_member(session, who.tenant_id, segment_id, member_id)

    await run(request, key, work, roles=MANAGERS)
    return Response(status_code=204)
