from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import NotFound
from bashgah.http.deps import ApiKeyDep, LangDep, run
from bashgah.members import service as members
from bashgah.tiers import service
from bashgah.tiers.schemas import MemberTierRead, TierAssign, TierConfigRead, TierConfigUpdate

router = APIRouter(prefix="/api/v1", tags=["tiers"])


@router.get("/tiers", response_model=TierConfigRead)
async def get_tiers(request: Request, key: ApiKeyDep, lang: LangDep) -> TierConfigRead:
    async def work(session: AsyncSession, who: Principal) -> TierConfigRead:
        found = await service.ladder(session, who.tenant_id)
        if found is None:
            raise NotFound("Tier ladder", "سطح‌بندی باشگاه")
        return service.config_read(found, lang)

    return await run(request, key, work)


@router.put("/tiers", response_model=TierConfigRead)
async def put_tiers(
    request: Request, body: TierConfigUpdate, key: ApiKeyDep, lang: LangDep
) -> TierConfigRead:
    """Set the whole ladder and how members qualify (owner or manager).

    ``PUT``, not ``POST …/versions``: the ladder is one document per club, replaced whole and kept in no
    versions (members keep their level by code), so sending it twice changes nothing the second time.
    Each level's threshold is named by the ladder's ``metric``: ``threshold_rials`` (spend),
    ``threshold_points`` or ``threshold_visits``."""

    async def work(session: AsyncSession, who: Principal) -> TierConfigRead:
        return service.config_read(await service.configure(session, who.tenant_id, body), lang)

    return await run(request, key, work, roles=MANAGERS)


@router.get("/members/{member_id}/tier", response_model=MemberTierRead)
async def member_tier(request: Request, member_id: int, key: ApiKeyDep, lang: LangDep) -> MemberTierRead:
    """Current level, progress to the next, the level projected at the review, and the history."""

    async def work(session: AsyncSession, who: Principal) -> MemberTierRead:
        await members.get(session, who.tenant_id, member_id)
        return await service.summary(session, who.tenant_id, member_id, lang)

    return await run(request, key, work)


@router.post("/members/{member_id}/tier", response_model=MemberTierRead)
async def assign_tier(
    request: Request, member_id: int, body: TierAssign, key: ApiKeyDep, lang: LangDep
) -> MemberTierRead:
    """Set a member's level by hand, with a reason, optionally locked (owner or manager)."""

    async def work(session: AsyncSession, who: Principal) -> MemberTierRead:
        await members.get(session, who.tenant_id, member_id)
        await service.assign(session, who.tenant_id, member_id, body, who.actor)
        return await service.summary(session, who.tenant_id, member_id, lang)

    return await run(request, key, work, roles=MANAGERS)


@router.post("/members/{member_id}/tier/unlock", response_model=MemberTierRead)
async def unlock_tier(request: Request, member_id: int, key: ApiKeyDep, lang: LangDep) -> MemberTierRead:
    async def work(session: AsyncSession, who: Principal) -> MemberTierRead:
        await members.get(session, who.tenant_id, member_id)
        await service.unlock(session, who.tenant_id, member_id, who.actor)
        return await service.summary(session, who.tenant_id, member_id, lang)

    return await run(request, key, work, roles=MANAGERS)
