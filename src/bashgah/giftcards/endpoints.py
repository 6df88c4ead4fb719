from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.giftcards import service
from bashgah.giftcards.schemas import GiftCardCreate, GiftCardLoad, GiftCardLoaded, GiftCardRead
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, run, run_idempotent

router = APIRouter(prefix="/api/v1/gift-cards", tags=["gift cards"])


@router.post("", status_code=201, response_model=list[GiftCardRead])
async def issue(request: Request, body: GiftCardCreate, key: ApiKeyDep) -> list[GiftCardRead]:
    """Issue one gift card or a batch with generated codes (owner or manager)."""

    async def work(session: AsyncSession, who: Principal) -> list[GiftCardRead]:
        return await service.issue(session, who, body)

    return await run(request, key, work)


@router.get("/batches/{batch}.csv", response_class=Response)
async def batch_csv(request: Request, batch: str, key: ApiKeyDep) -> Response:
    """The batch's codes, values, balances and statuses as CSV (owner or manager)."""

    async def work(session: AsyncSession, who: Principal) -> str:
        return await service.batch_csv(session, who, batch)

    return Response(
        await run(request, key, work),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="gift-cards.csv"'},
    )


@router.get("/{code}", response_model=GiftCardRead)
async def check(request: Request, code: str, key: ApiKeyDep) -> GiftCardRead:
    """Balance check at the till: what is left on the card, its status and expiry."""

    async def work(session: AsyncSession, who: Principal) -> GiftCardRead:
        return await service.get(session, who, code)

    return await run(request, key, work)


@router.post("/{code}/load", status_code=201, response_model=GiftCardLoaded)
async def load(
    request: Request, code: str, body: GiftCardLoad, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    """Move the card's balance into a member's wallet (Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> GiftCardLoaded:
        return await service.load(session, who, code, body)

    return await run_idempotent(request, key, idem, body, work)


@router.post("/{code}/cancel", response_model=GiftCardRead)
async def cancel(request: Request, code: str, key: ApiKeyDep) -> GiftCardRead:
    """Withdraw a card; what is left on it goes back to the club (owner or manager)."""

    async def work(session: AsyncSession, who: Principal) -> GiftCardRead:
        return await service.cancel(session, who, code)

    return await run(request, key, work)
