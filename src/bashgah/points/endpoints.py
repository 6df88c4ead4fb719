"""The members' points over HTTP: balance card, statement, adjustments, transfers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, LangDep, run, run_idempotent
from bashgah.http.paging import Page, PageQuery, cursor_for, paging
from bashgah.points import service as member_points
from bashgah.points.schemas import (
    AdjustmentCreate,
    AdjustmentRead,
    BalanceRead,
    LedgerLine,
    TransferCreate,
    TransferRead,
)
from bashgah.stamps import reading as stamps

router = APIRouter(prefix="/api/v1/members/{member_id}", tags=["points"])


@router.get("/balance", response_model=BalanceRead)
async def member_balance(request: Request, member_id: int, key: ApiKeyDep) -> BalanceRead:
    """Available, pending, reserved, expiring in 30 days, lifetime earned and redeemed, and the
    member's open stamp cards (e.g. 7 of 10)."""

    async def work(session: AsyncSession, who: Principal) -> BalanceRead:
        found = await member_points.summary(session, who, member_id)
        found.stamps = await stamps.brief(session, member_id)
        return found

    return await run(request, key, work)


@router.get("/ledger", response_model=Page[LedgerLine])
async def member_ledger(
    request: Request,
    member_id: int,
    key: ApiKeyDep,
    lang: LangDep,
    at: Annotated[PageQuery, Depends(paging(old="before"))],
) -> Page[LedgerLine]:
    """The member's points statement, newest first."""

    async def work(session: AsyncSession, who: Principal) -> Page[LedgerLine]:
        found = await member_points.history(session, who, member_id, lang, at.position, at.limit)
        return Page(items=found.items, next_cursor=cursor_for(found.next_before))

    return await run(request, key, work)


@router.post("/adjustments", status_code=201, response_model=AdjustmentRead)
async def adjust_points(
    request: Request, member_id: int, body: AdjustmentCreate, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    """Give or take points by hand with a reason (owner or manager; Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> AdjustmentRead:
        return await member_points.adjust(session, who, member_id, body)

    return await run_idempotent(request, key, idem, body, work)


@router.post("/transfers", status_code=201, response_model=TransferRead)
async def transfer_points(
    request: Request, member_id: int, body: TransferCreate, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    """Give some of this member's available points to another member (Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> TransferRead:
        return await member_points.transfer(session, who, member_id, body)

    return await run_idempotent(request, key, idem, body, work)
