from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.http.deps import ApiKeyDep, run
from bashgah.notices import service
from bashgah.notices.schemas import NoticeRead

router = APIRouter(prefix="/api/v1", tags=["notices"])


@router.get("/notices", response_model=list[NoticeRead])
async def list_notices(
    request: Request,
    key: ApiKeyDep,
    unsent: bool = False,
    after: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NoticeRead]:
    """Notices recorded by the jobs (``points_expiring``…), oldest first; ``unsent=true`` for the sender."""

    async def work(session: AsyncSession, who: Principal) -> list[NoticeRead]:
        who.require(*MANAGERS)
        return await service.list_notices(session, who.tenant_id, None, unsent, after, limit)

    return await run(request, key, work)


@router.get("/members/{member_id}/notices", response_model=list[NoticeRead])
async def member_notices(request: Request, member_id: int, key: ApiKeyDep) -> list[NoticeRead]:
    async def work(session: AsyncSession, who: Principal) -> list[NoticeRead]:
        who.require(*MANAGERS)
        return await service.list_notices(session, who.tenant_id, member_id, limit=1000)

    return await run(request, key, work)
