from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, LangDep, run, run_idempotent
from bashgah.http.paging import PageQuery, paging
from bashgah.wallet import service
from bashgah.wallet.schemas import TopUpCreate, WalletAdjustmentCreate, WalletChange, WalletStatementRead

router = APIRouter(prefix="/api/v1/members/{member_id}/wallet", tags=["wallet"])


@router.get("", response_model=WalletStatementRead)
async def member_wallet(
    request: Request,
    member_id: int,
    key: ApiKeyDep,
    lang: LangDep,
    at: Annotated[PageQuery, Depends(paging(old="before"))],
) -> WalletStatementRead:
    """The wallet in rials: available, pending cashback, expiring in 30 days, and the statement (newest
    first, a page at a time)."""

    async def work(session: AsyncSession, who: Principal) -> WalletStatementRead:
        return WalletStatementRead.of(
            await service.read(session, who, member_id, lang, at.position, at.limit)
        )

    return await run(request, key, work)


@router.post("/top-ups", status_code=201, response_model=WalletChange)
async def top_up(
    request: Request, member_id: int, body: TopUpCreate, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    """Put money the member paid into their wallet (owner, manager or cashier; Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> WalletChange:
        return await service.top_up(session, who, member_id, body)

    return await run_idempotent(request, key, idem, body, work)


@router.post("/adjustments", status_code=201, response_model=WalletChange)
async def adjust(
    request: Request,
    member_id: int,
    body: WalletAdjustmentCreate,
    key: ApiKeyDep,
    idem: IdempotencyKeyDep = None,
) -> object:
    """Give or take wallet rials by hand with a reason (owner or manager; Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> WalletChange:
        return await service.adjust(session, who, member_id, body)

    return await run_idempotent(request, key, idem, body, work)
