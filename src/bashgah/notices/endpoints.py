from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.http.deps import ApiKeyDep, run
from bashgah.http.paging import Page, PageDep, PageQuery, page, paging
from bashgah.notices import service
from bashgah.notices.schemas import NoticeRead

router = APIRouter(prefix="/api/v1", tags=["notices"])


@router.get("/notices", response_model=Page[NoticeRead])
async def list_notices(
    request: Request,
    key: ApiKeyDep,
    at: Annotated[PageQuery, Depends(paging(old="after"))],
    unsent: bool = False,
) -> Page[NoticeRead]:
    """Notices recorded by the jobs (``points_expiring``…), oldest first; ``unsent=true`` for the sender."""

    async def work(session: AsyncSession, who: Principal) -> Page[NoticeRead]:
        rows = await service.list_notices(session, who.tenant_id, None, unsent, at.position, at.limit + 1)
        return page(rows, at.limit, lambda n: n.id)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/members/{member_id}/notices", response_model=Page[NoticeRead])
async def member_notices(request: Request, member_id: int, key: ApiKeyDep, at: PageDep) -> Page[NoticeRead]:
    """The member's notices, oldest first."""

    async def work(session: AsyncSession, who: Principal) -> Page[NoticeRead]:
        rows = await service.list_notices(
            session, who.tenant_id, member_id, after=at.position, limit=at.limit + 1
        )
        return page(rows, at.limit, lambda n: n.id)

    return await run(request, key, work, roles=MANAGERS)
