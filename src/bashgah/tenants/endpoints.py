from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.http.deps import ApiKeyDep, run
from bashgah.http.paging import Page, PageDep, page_of
from bashgah.tenants import service
from bashgah.tenants.schemas import BranchCreate, BranchRead, ProgrammeRead, ProgrammeUpdate

router = APIRouter(prefix="/api/v1", tags=["programme"])


async def _read_programme(request: Request, key: str | None) -> ProgrammeRead:
    async def work(session: AsyncSession, who: Principal) -> ProgrammeRead:
        return ProgrammeRead.model_validate(await service.get_program(session, who.tenant_id))

    return await run(request, key, work)


async def _update_programme(request: Request, body: ProgrammeUpdate, key: str | None) -> ProgrammeRead:
    async def work(session: AsyncSession, who: Principal) -> ProgrammeRead:
        return ProgrammeRead.model_validate(await service.update_program(session, who.tenant_id, body))

    return await run(request, key, work, roles=MANAGERS)


@router.get("/programme", response_model=ProgrammeRead)
async def get_programme(request: Request, key: ApiKeyDep) -> ProgrammeRead:
    """The club's settings: how points are earned, spent and expire."""
    return await _read_programme(request, key)


@router.patch("/programme", response_model=ProgrammeRead)
async def update_programme(request: Request, body: ProgrammeUpdate, key: ApiKeyDep) -> ProgrammeRead:
    """Change the programme's settings (owner or manager). Past purchases keep what they earned."""
    return await _update_programme(request, body, key)


@router.get("/program", response_model=ProgrammeRead, deprecated=True)
async def get_program(request: Request, key: ApiKeyDep) -> ProgrammeRead:
    """Deprecated (removed in 0.3): ``GET /programme``."""
    return await _read_programme(request, key)


@router.patch("/program", response_model=ProgrammeRead, deprecated=True)
async def update_program(request: Request, body: ProgrammeUpdate, key: ApiKeyDep) -> ProgrammeRead:
    """Deprecated (removed in 0.3): ``PATCH /programme``."""
    return await _update_programme(request, body, key)


@router.get("/branches", response_model=Page[BranchRead])
async def list_branches(request: Request, key: ApiKeyDep, at: PageDep) -> Page[BranchRead]:
    async def work(session: AsyncSession, who: Principal) -> Page[BranchRead]:
        found = [BranchRead.model_validate(b) for b in await service.list_branches(session, who.tenant_id)]
        return page_of(found, at, lambda b: b.id)

    return await run(request, key, work)


@router.post("/branches", status_code=201, response_model=BranchRead)
async def create_branch(request: Request, body: BranchCreate, key: ApiKeyDep) -> BranchRead:
    async def work(session: AsyncSession, who: Principal) -> BranchRead:
        return BranchRead.model_validate(await service.create_branch(session, who.tenant_id, body))

    return await run(request, key, work, roles=("owner",))
