from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.coupons import service
from bashgah.coupons.schemas import (
    BatchCreate,
    BatchRead,
    BatchUpdate,
    CouponCheck,
    CouponVerdict,
    MemberCouponRead,
)
from bashgah.http.deps import ApiKeyDep, LangDep, run
from bashgah.http.paging import Page, PageDep, page
from bashgah.members import service as members

router = APIRouter(prefix="/api/v1/coupons", tags=["coupons"])


@router.post("/batches", status_code=201, response_model=BatchRead)
async def create_batch(request: Request, body: BatchCreate, key: ApiKeyDep) -> BatchRead:
    """A batch of discount codes: one universal ``code``, or ``count`` generated unique codes."""

    async def work(session: AsyncSession, who: Principal) -> BatchRead:
        return await service.create_batch(session, who.tenant_id, body)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/batches", response_model=Page[BatchRead])
async def list_batches(request: Request, key: ApiKeyDep, at: PageDep) -> Page[BatchRead]:
    """The club's batches, newest first."""

    async def work(session: AsyncSession, who: Principal) -> Page[BatchRead]:
        rows = await service.list_batches(session, who.tenant_id, before=at.position, limit=at.limit + 1)
        return page(rows, at.limit, lambda b: b.id)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/batches/{batch_id}", response_model=BatchRead)
async def get_batch(request: Request, batch_id: int, key: ApiKeyDep) -> BatchRead:
    async def work(session: AsyncSession, who: Principal) -> BatchRead:
        return await service.get_batch(session, who.tenant_id, batch_id)

    return await run(request, key, work, roles=MANAGERS)


@router.patch("/batches/{batch_id}", response_model=BatchRead)
async def update_batch(request: Request, batch_id: int, body: BatchUpdate, key: ApiKeyDep) -> BatchRead:
    """Change a batch's validity (``valid_from``, ``valid_until``) or switch it off and on (``active``)."""

    async def work(session: AsyncSession, who: Principal) -> BatchRead:
        return await service.update_batch(session, who.tenant_id, batch_id, body)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/batches/{batch_id}/codes.csv", response_class=Response)
async def batch_codes(request: Request, batch_id: int, key: ApiKeyDep) -> Response:
    """The batch's codes and how many times each was used, as CSV."""

    async def work(session: AsyncSession, who: Principal) -> str:
        return await service.codes_csv(session, who, batch_id)

    return Response(
        await run(request, key, work),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="coupons-{batch_id}.csv"'},
    )


@router.post("/validate", response_model=CouponVerdict)
async def validate(request: Request, body: CouponCheck, key: ApiKeyDep, lang: LangDep) -> CouponVerdict:
    """For the till: would this code work for this member and basket, and for how much? Writes nothing."""

    async def work(session: AsyncSession, who: Principal) -> CouponVerdict:
        return await service.check(session, who, body, lang)

    return await run(request, key, work)


members_router = APIRouter(prefix="/api/v1/members", tags=["coupons"])


@members_router.get("/{member_id}/coupons", response_model=Page[MemberCouponRead])
async def member_coupons(
    request: Request, member_id: int, key: ApiKeyDep, at: PageDep
) -> Page[MemberCouponRead]:
    """The personal codes campaigns gave the member (newest first) and whether each is still usable."""

    async def work(session: AsyncSession, who: Principal) -> Page[MemberCouponRead]:
        await members.get(session, who.tenant_id, member_id)
        rows = await service.member_coupons(
            session, who.tenant_id, member_id, before=at.position, limit=at.limit + 1
        )
        return page(rows, at.limit, lambda c: c.id)

    return await run(request, key, work)
