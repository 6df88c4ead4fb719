from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, LangDep, run, run_idempotent
from bashgah.http.paging import Page, PageDep, page_of
from bashgah.rewards import service
from bashgah.rewards.schemas import (
    RewardCreate,
    RewardInstanceCreate,
    RewardInstanceRead,
    RewardRead,
    RewardUpdate,
    VoucherUpload,
)

router = APIRouter(prefix="/api/v1", tags=["rewards"])


@router.get("/rewards", response_model=Page[RewardRead])
async def list_rewards(
    request: Request, key: ApiKeyDep, lang: LangDep, at: PageDep, member_id: int | None = None
) -> Page[RewardRead]:
    """The catalogue; with ``member_id``, only what that member may redeem and can afford now."""

    async def work(session: AsyncSession, who: Principal) -> Page[RewardRead]:
        return page_of(await service.catalogue(session, who.tenant_id, lang, member_id), at, lambda r: r.id)

    return await run(request, key, work)


@router.post("/rewards", status_code=201, response_model=RewardRead)
async def create_reward(request: Request, body: RewardCreate, key: ApiKeyDep, lang: LangDep) -> RewardRead:
    async def work(session: AsyncSession, who: Principal) -> RewardRead:
        return await service.create(session, who.tenant_id, body, lang)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/rewards/{reward_id}", response_model=RewardRead)
async def get_reward(request: Request, reward_id: int, key: ApiKeyDep, lang: LangDep) -> RewardRead:
    async def work(session: AsyncSession, who: Principal) -> RewardRead:
        return await service.get(session, who.tenant_id, reward_id, lang)

    return await run(request, key, work)


@router.patch("/rewards/{reward_id}", response_model=RewardRead)
async def change_reward(
    request: Request, reward_id: int, body: RewardUpdate, key: ApiKeyDep, lang: LangDep
) -> RewardRead:
    async def work(session: AsyncSession, who: Principal) -> RewardRead:
        return await service.change(session, who.tenant_id, reward_id, body, lang)

    return await run(request, key, work, roles=MANAGERS)


@router.delete("/rewards/{reward_id}", status_code=204)
async def retire_reward(request: Request, reward_id: int, key: ApiKeyDep, lang: LangDep) -> Response:
    """Take a reward out of the catalogue (it is deactivated; rewards already issued stay valid, and
    ``GET`` still shows it, inactive)."""

    async def work(session: AsyncSession, who: Principal) -> None:
        await service.change(session, who.tenant_id, reward_id, RewardUpdate(active=False), lang)

    await run(request, key, work, roles=MANAGERS)
    return Response(status_code=204)


@router.post("/rewards/{reward_id}/vouchers", response_model=RewardRead)
async def upload_vouchers(
    request: Request, reward_id: int, body: VoucherUpload, key: ApiKeyDep, lang: LangDep
) -> RewardRead:
    """Add a partner's codes (a list, or CSV text) to a partner voucher's pool."""

    async def work(session: AsyncSession, who: Principal) -> RewardRead:
        return await service.add_vouchers(session, who.tenant_id, reward_id, body, lang)

    return await run(request, key, work, roles=MANAGERS)


@router.post("/members/{member_id}/rewards", status_code=201, response_model=RewardInstanceRead)
async def redeem_reward(
    request: Request,
    member_id: int,
    body: RewardInstanceCreate,
    key: ApiKeyDep,
    lang: LangDep,
    idem: IdempotencyKeyDep = None,
) -> object:
    """Spend the member's points on a reward (Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> RewardInstanceRead:
        return await service.redeem(session, who, member_id, body.reward_id, lang)

    return await run_idempotent(request, key, idem, body, work)


@router.get("/members/{member_id}/rewards", response_model=Page[RewardInstanceRead])
async def member_rewards(
    request: Request, member_id: int, key: ApiKeyDep, lang: LangDep, at: PageDep
) -> Page[RewardInstanceRead]:
    """The rewards the member was given, newest first."""

    async def work(session: AsyncSession, who: Principal) -> Page[RewardInstanceRead]:
        found = await service.list_instances(session, who.tenant_id, member_id, lang)
        return page_of(found, at, lambda r: r.id, descending=True)

    return await run(request, key, work)


@router.post("/reward-instances/{code}/use", response_model=RewardInstanceRead)
async def use_reward(request: Request, code: str, key: ApiKeyDep, lang: LangDep) -> RewardInstanceRead:
    """For the till: mark a member's reward used; only once."""

    async def work(session: AsyncSession, who: Principal) -> RewardInstanceRead:
        return await service.use(session, who.tenant_id, code, lang)

    return await run(request, key, work)


@router.post("/reward-instances/{code}/cancel", response_model=RewardInstanceRead)
async def cancel_reward(request: Request, code: str, key: ApiKeyDep, lang: LangDep) -> RewardInstanceRead:
    """Cancel an unused reward: the points go back to the member and the stock to the reward."""

    async def work(session: AsyncSession, who: Principal) -> RewardInstanceRead:
        return await service.cancel(session, who, code, lang)

    return await run(request, key, work, roles=MANAGERS)
