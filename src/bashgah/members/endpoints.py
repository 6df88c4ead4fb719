from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, run, run_idempotent
from bashgah.members import service
from bashgah.members.schemas import MemberBlock, MemberCreate, MemberLookup, MemberRead, MemberUpdate

router = APIRouter(prefix="/api/v1/members", tags=["members"])


@router.post("", status_code=201, response_model=MemberRead)
async def create_member(
    request: Request, body: MemberCreate, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    async def work(session: AsyncSession, who: Principal):
        return MemberRead.of(await service.create(session, who.tenant_id, body))

    return await run_idempotent(request, key, idem, body, work, status_code=201, required=False)


@router.get("/lookup", response_model=MemberLookup)
async def lookup_member(
    request: Request, key: ApiKeyDep, q: str = Query(min_length=1, max_length=100)
) -> MemberLookup:
    async def work(session: AsyncSession, who: Principal):
        found = await service.lookup(session, who.tenant_id, q)
        return MemberLookup(matched_by=found.matched_by, items=[MemberRead.of(m) for m in found.members])

    return await run(request, key, work)


@router.get("/{member_id}", response_model=MemberRead)
async def get_member(request: Request, member_id: int, key: ApiKeyDep) -> MemberRead:
    async def work(session: AsyncSession, who: Principal):
        return MemberRead.of(await service.get(session, who.tenant_id, member_id))

    return await run(request, key, work)


@router.patch("/{member_id}", response_model=MemberRead)
async def update_member(request: Request, member_id: int, body: MemberUpdate, key: ApiKeyDep) -> MemberRead:
    async def work(session: AsyncSession, who: Principal):
        return MemberRead.of(await service.update(session, who.tenant_id, member_id, body))

    return await run(request, key, work)


@router.post("/{member_id}/block", response_model=MemberRead)
async def block_member(request: Request, member_id: int, body: MemberBlock, key: ApiKeyDep) -> MemberRead:
    async def work(session: AsyncSession, who: Principal):
        return MemberRead.of(
            await service.set_blocked(session, who.tenant_id, member_id, body.reason.strip())
        )

    return await run(request, key, work, roles=("owner", "manager", "cashier"))


@router.post("/{member_id}/unblock", response_model=MemberRead)
async def unblock_member(request: Request, member_id: int, key: ApiKeyDep) -> MemberRead:
    async def work(session: AsyncSession, who: Principal):
        return MemberRead.of(await service.set_blocked(session, who.tenant_id, member_id, None))

    return await run(request, key, work, roles=("owner", "manager"))
