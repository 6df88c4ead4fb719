from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, LangDep, run, run_idempotent
from bashgah.http.paging import Page, PageDep, page_of
from bashgah.programme import service
from bashgah.programme.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignVersionRead,
    EventCreate,
    EventResult,
)

campaigns_router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
events_router = APIRouter(prefix="/api/v1/events", tags=["events"])


@campaigns_router.post("", status_code=201, response_model=CampaignRead)
async def create_campaign(request: Request, body: CampaignCreate, key: ApiKeyDep) -> CampaignRead:
    """Create a campaign (owner or manager): rules with conditions and effects, schedule, budget, limits."""

    async def work(session: AsyncSession, who: Principal) -> CampaignRead:
        return await service.create(session, who, body)

    return await run(request, key, work)


@campaigns_router.get("", response_model=Page[CampaignRead])
async def list_campaigns(request: Request, key: ApiKeyDep, at: PageDep) -> Page[CampaignRead]:
    async def work(session: AsyncSession, who: Principal) -> Page[CampaignRead]:
        return page_of(await service.list_campaigns(session, who), at, lambda c: c.id)

    return await run(request, key, work)


@campaigns_router.get("/{campaign_id}", response_model=CampaignRead)
async def get_campaign(request: Request, campaign_id: int, key: ApiKeyDep) -> CampaignRead:
    async def work(session: AsyncSession, who: Principal) -> CampaignRead:
        return await service.get(session, who, campaign_id)

    return await run(request, key, work)


async def _new_version(
    request: Request, campaign_id: int, body: CampaignCreate, key: str | None
) -> CampaignRead:
    async def work(session: AsyncSession, who: Principal) -> CampaignRead:
        return await service.update_campaign(session, who, campaign_id, body)

    return await run(request, key, work)


@campaigns_router.post("/{campaign_id}/versions", status_code=201, response_model=CampaignRead)
async def create_campaign_version(
    request: Request, campaign_id: int, body: CampaignCreate, key: ApiKeyDep
) -> CampaignRead:
    """A new version of the campaign's whole definition (owner or manager). Awards already given keep
    naming the version that gave them. The answer is the campaign at its new ``version``."""
    return await _new_version(request, campaign_id, body, key)


@campaigns_router.put("/{campaign_id}", response_model=CampaignRead, deprecated=True)
async def update_campaign(
    request: Request, campaign_id: int, body: CampaignCreate, key: ApiKeyDep
) -> CampaignRead:
    """Deprecated (removed in 0.3): ``POST /campaigns/{campaign_id}/versions`` does the same."""
    return await _new_version(request, campaign_id, body, key)


@campaigns_router.get("/{campaign_id}/versions", response_model=Page[CampaignVersionRead])
async def campaign_versions(
    request: Request, campaign_id: int, key: ApiKeyDep, at: PageDep
) -> Page[CampaignVersionRead]:
    """The campaign's versions, oldest first."""

    async def work(session: AsyncSession, who: Principal) -> Page[CampaignVersionRead]:
        return page_of(await service.versions(session, who, campaign_id), at, lambda v: v.version)

    return await run(request, key, work)


@events_router.post("", status_code=201, response_model=EventResult)
async def record_event(
    request: Request, body: EventCreate, key: ApiKeyDep, lang: LangDep, idem: IdempotencyKeyDep = None
) -> object:
    """Something a member did (Idempotency-Key required): event rules of active campaigns award points
    and stamps."""

    async def work(session: AsyncSession, who: Principal) -> EventResult:
        return await service.record_event(session, who, body, lang)

    return await run_idempotent(request, key, idem, body, work)
