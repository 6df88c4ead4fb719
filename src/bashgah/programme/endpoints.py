from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, LangDep, run, run_idempotent
from bashgah.programme import campaigns, events
from bashgah.programme.schemas import CampaignIn, CampaignRead, CampaignVersionRead, EventCreate, EventResult

campaigns_router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])
events_router = APIRouter(prefix="/api/v1/events", tags=["events"])


@campaigns_router.post("", status_code=201, response_model=CampaignRead)
async def create_campaign(request: Request, body: CampaignIn, key: ApiKeyDep) -> CampaignRead:
    """Create a campaign (owner or manager): rules with conditions and effects, schedule, budget, limits."""

    async def work(session: AsyncSession, who: Principal) -> CampaignRead:
        return await campaigns.create(session, who, body)

    return await run(request, key, work)


@campaigns_router.get("", response_model=list[CampaignRead])
async def list_campaigns(request: Request, key: ApiKeyDep) -> list[CampaignRead]:
    async def work(session: AsyncSession, who: Principal) -> list[CampaignRead]:
        return await campaigns.list_campaigns(session, who)

    return await run(request, key, work)


@campaigns_router.get("/{campaign_id}", response_model=CampaignRead)
async def get_campaign(request: Request, campaign_id: int, key: ApiKeyDep) -> CampaignRead:
    async def work(session: AsyncSession, who: Principal) -> CampaignRead:
        return await campaigns.get(session, who, campaign_id)

    return await run(request, key, work)


@campaigns_router.put("/{campaign_id}", response_model=CampaignRead)
async def update_campaign(
    request: Request, campaign_id: int, body: CampaignIn, key: ApiKeyDep
) -> CampaignRead:
    """Replace the campaign's definition (owner or manager); it becomes a new version."""

    async def work(session: AsyncSession, who: Principal) -> CampaignRead:
        return await campaigns.update_campaign(session, who, campaign_id, body)

    return await run(request, key, work)


@campaigns_router.get("/{campaign_id}/versions", response_model=list[CampaignVersionRead])
async def campaign_versions(request: Request, campaign_id: int, key: ApiKeyDep) -> list[CampaignVersionRead]:
    async def work(session: AsyncSession, who: Principal) -> list[CampaignVersionRead]:
        return await campaigns.versions(session, who, campaign_id)

    return await run(request, key, work)


@events_router.post("", status_code=201, response_model=EventResult)
async def record_event(
    request: Request, body: EventCreate, key: ApiKeyDep, lang: LangDep, idem: IdempotencyKeyDep = None
) -> object:
    """Something a member did (Idempotency-Key required): event rules of active campaigns award points
    and stamps."""

    async def work(session: AsyncSession, who: Principal) -> EventResult:
        return await events.record_event(session, who, body, lang)

    return await run_idempotent(request, key, idem, body, work)
