from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.http.deps import ApiKeyDep, LangDep, run
from bashgah.http.paging import Page, PageDep, page_of
from bashgah.occasions import service
from bashgah.occasions.schemas import OccasionRuleCreate, OccasionRuleRead, OccasionRuleUpdate

router = APIRouter(prefix="/api/v1", tags=["occasions"])


@router.get("/occasions", response_model=Page[OccasionRuleRead])
async def list_occasions(
    request: Request, key: ApiKeyDep, lang: LangDep, at: PageDep
) -> Page[OccasionRuleRead]:
    async def work(session: AsyncSession, who: Principal) -> Page[OccasionRuleRead]:
        return page_of(await service.list_rules(session, who.tenant_id, lang), at, lambda r: r.id)

    return await run(request, key, work, roles=MANAGERS)


@router.post("/occasions", status_code=201, response_model=OccasionRuleRead)
async def create_occasion(
    request: Request, body: OccasionRuleCreate, key: ApiKeyDep, lang: LangDep
) -> OccasionRuleRead:
    """A gift given once a Jalali year on a birthday, an anniversary, Nowruz or Yalda (``jobs run occasions``)."""

    async def work(session: AsyncSession, who: Principal) -> OccasionRuleRead:
        return await service.create(session, who.tenant_id, body, lang)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/occasions/{rule_id}", response_model=OccasionRuleRead)
async def get_occasion(request: Request, rule_id: int, key: ApiKeyDep, lang: LangDep) -> OccasionRuleRead:
    async def work(session: AsyncSession, who: Principal) -> OccasionRuleRead:
        return await service.get(session, who.tenant_id, rule_id, lang)

    return await run(request, key, work, roles=MANAGERS)


@router.patch("/occasions/{rule_id}", response_model=OccasionRuleRead)
async def change_occasion(
    request: Request, rule_id: int, body: OccasionRuleUpdate, key: ApiKeyDep, lang: LangDep
) -> OccasionRuleRead:
    async def work(session: AsyncSession, who: Principal) -> OccasionRuleRead:
        return await service.change(session, who.tenant_id, rule_id, body, lang)

    return await run(request, key, work, roles=MANAGERS)
