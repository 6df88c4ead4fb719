from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, run, run_idempotent
from bashgah.redemptions import service
from bashgah.redemptions.schemas import ReservationCommit, ReservationCreate, ReservationRead

router = APIRouter(prefix="/api/v1/redemptions", tags=["redemptions"])


@router.post("", status_code=201, response_model=ReservationRead)
async def reserve_points(
    request: Request, body: ReservationCreate, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    """Hold points for a till that prices first and is paid later (Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> ReservationRead:
        return await service.reserve(session, who, body)

    return await run_idempotent(request, key, idem, body, work)


@router.get("/{reservation_id}", response_model=ReservationRead)
async def get_reservation(request: Request, reservation_id: int, key: ApiKeyDep) -> ReservationRead:
    async def work(session: AsyncSession, who: Principal) -> ReservationRead:
        return await service.get(session, who, reservation_id)

    return await run(request, key, work)


@router.post("/{reservation_id}/commit", response_model=ReservationRead)
async def commit_reservation(
    request: Request,
    reservation_id: int,
    key: ApiKeyDep,
    body: ReservationCommit | None = None,
    idem: IdempotencyKeyDep = None,
) -> object:
    """Spend all or part of the held points; the rest go back to the member."""
    data = body or ReservationCommit(points=None)

    async def work(session: AsyncSession, who: Principal) -> ReservationRead:
        return await service.commit(session, who, reservation_id, data)

    return await run_idempotent(request, key, idem, data, work, status_code=200, required=False)


@router.post("/{reservation_id}/cancel", response_model=ReservationRead)
async def cancel_reservation(
    request: Request, reservation_id: int, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    async def work(session: AsyncSession, who: Principal) -> ReservationRead:
        return await service.cancel(session, who, reservation_id)

    return await run_idempotent(request, key, idem, None, work, status_code=200, required=False)
