from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, LangDep, run
from bashgah.stamps import cards, reading
from bashgah.stamps.schemas import StampCardIn, StampCardRead, StampProgress

router = APIRouter(prefix="/api/v1", tags=["stamp cards"])


@router.post("/stamp-cards", status_code=201, response_model=StampCardRead)
async def create_stamp_card(request: Request, body: StampCardIn, key: ApiKeyDep) -> StampCardRead:
    """Create a stamp card (owner or manager): what earns a stamp, how many fill a card, its reward."""

    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await cards.create(session, who, body)

    return await run(request, key, work)


@router.get("/stamp-cards", response_model=list[StampCardRead])
async def list_stamp_cards(request: Request, key: ApiKeyDep) -> list[StampCardRead]:
    async def work(session: AsyncSession, who: Principal) -> list[StampCardRead]:
        return await cards.list_cards(session, who)

    return await run(request, key, work)


@router.get("/stamp-cards/{card_id}", response_model=StampCardRead)
async def get_stamp_card(request: Request, card_id: int, key: ApiKeyDep) -> StampCardRead:
    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await cards.get(session, who, card_id)

    return await run(request, key, work)


@router.put("/stamp-cards/{card_id}", response_model=StampCardRead)
async def update_stamp_card(
    request: Request, card_id: int, body: StampCardIn, key: ApiKeyDep
) -> StampCardRead:
    """Replace the definition (a new version): open cards keep their size, given stamps stay given."""

    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await cards.update(session, who, card_id, body)

    return await run(request, key, work)


@router.delete("/stamp-cards/{card_id}", response_model=StampCardRead)
async def retire_stamp_card(request: Request, card_id: int, key: ApiKeyDep) -> StampCardRead:
    """Stop giving stamps on this card; members' cards and rewards stay."""

    async def work(session: AsyncSession, who: Principal) -> StampCardRead:
        return await cards.retire(session, who, card_id)

    return await run(request, key, work)


@router.get("/members/{member_id}/stamp-cards", response_model=list[StampProgress])
async def member_stamp_cards(
    request: Request, member_id: int, key: ApiKeyDep, lang: LangDep
) -> list[StampProgress]:
    """The member's progress on each stamp card (7 of 10) and their completed cards' reward codes."""

    async def work(session: AsyncSession, who: Principal) -> list[StampProgress]:
        return await reading.progress(session, who.tenant_id, member_id, lang)

    return await run(request, key, work)
