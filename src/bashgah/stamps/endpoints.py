from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, LangDep, run
from bashgah.http.paging import Page, PageDep, page_of
from bashgah.stamps import service
from bashgah.stamps.schemas import StampCardCreate, StampCardRead, StampProgress

router = APIRouter(prefix="/api/v1", tags=["stamp cards"])


@router.post("/stamp-cards", status_code=201, response_model=StampCardRead)
async def create_stamp_card(request: Request, body: StampCardCreate, key: ApiKeyDep) -> StampCardRead:
    """Create a stamp card (owner or manager): what earns a stamp, how many fill a card, its reward."""

    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await service.create(session, who, body)

    return await run(request, key, work)


@router.get("/stamp-cards", response_model=Page[StampCardRead])
async def list_stamp_cards(request: Request, key: ApiKeyDep, at: PageDep) -> Page[StampCardRead]:
    async def work(session: AsyncSession, who: Principal) -> Page[StampCardRead]:
        return page_of(await service.list_cards(session, who), at, lambda c: c.id)

    return await run(request, key, work)


@router.get("/stamp-cards/{card_id}", response_model=StampCardRead)
async def get_stamp_card(request: Request, card_id: int, key: ApiKeyDep) -> StampCardRead:
    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await service.get(session, who, card_id)

    return await run(request, key, work)


async def _new_version(
    request: Request, card_id: int, body: StampCardCreate, key: str | None
) -> StampCardRead:
    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await service.update(session, who, card_id, body)

    return await run(request, key, work)


@router.post("/stamp-cards/{card_id}/versions", status_code=201, response_model=StampCardRead)
async def create_stamp_card_version(
    request: Request, card_id: int, body: StampCardCreate, key: ApiKeyDep
) -> StampCardRead:
    """A new version of the card's definition (owner or manager): open cards keep their size, given
    stamps stay given. The answer is the card with its new ``version``."""
    return await _new_version(request, card_id, body, key)


@router.put("/stamp-cards/{card_id}", response_model=StampCardRead, deprecated=True)
async def update_stamp_card(
    request: Request, card_id: int, body: StampCardCreate, key: ApiKeyDep
) -> StampCardRead:
    """Deprecated (removed in 0.3): ``POST /stamp-cards/{card_id}/versions`` does the same."""
    return await _new_version(request, card_id, body, key)


@router.delete("/stamp-cards/{card_id}", status_code=204)
async def retire_stamp_card(request: Request, card_id: int, key: ApiKeyDep) -> Response:
    """Stop giving stamps on this card; members' cards and rewards stay (``GET`` still shows it,
    inactive)."""

    async def work(session: AsyncSession, who: Principal) -> None:
        await service.retire(session, who, card_id)

    await run(request, key, work)
    return Response(status_code=204)


@router.get("/members/{member_id}/stamp-cards", response_model=Page[StampProgress])
async def member_stamp_cards(
    request: Request, member_id: int, key: ApiKeyDep, lang: LangDep, at: PageDep
) -> Page[StampProgress]:
    """The member's progress on each stamp card (7 of 10) and their completed cards' reward codes."""

    async def work(session: AsyncSession, who: Principal) -> Page[StampProgress]:
        return page_of(
            await service.progress(session, who.tenant_id, member_id, lang), at, lambda p: p.card_id
        )

    return await run(request, key, work)
