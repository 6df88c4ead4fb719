"""What the member has and had: the points' history, the wallet, coupons, stamp cards."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.coupons import service as coupon_service
from bashgah.points import service as member_points
from bashgah.portal import service as portal
from bashgah.stamps import reading as stamps
from bashgah.wallet import service as wallets
from bashgah.web.portal.common import HISTORY_PAGE, SignedIn, me, member_page, portal_router

router = portal_router()


@router.get("/history", response_class=HTMLResponse)
async def history(request: Request, user: SignedIn, before: int | None = None) -> Response:
    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        found = await member_points.history(
            session, me(user), user.member_id, lang, before=before, limit=HISTORY_PAGE
        )
        return {"lines": found.items, "next_before": found.next_before}

    return await member_page(request, user, "history.html", read)


@router.get("/coupons", response_class=HTMLResponse)
async def coupons(request: Request, user: SignedIn) -> Response:
    """The codes the club gave the member (usable first) and the coupons they used on purchases."""

    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        used = await portal.coupons_used(session, user.tenant_id, user.member_id)
        given = await coupon_service.member_coupons(session, user.tenant_id, user.member_id)
        given.sort(key=lambda c: not c.usable)  # stable: newest first within each group
        return {"used": used, "given": given}

    return await member_page(request, user, "coupons.html", read)


@router.get("/wallet", response_class=HTMLResponse)
async def wallet(request: Request, user: SignedIn, before: int | None = None) -> Response:
    """The wallet: what can be spent, cashback still pending, credit expiring soon, and the statement."""

    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        found = await wallets.read(session, me(user), user.member_id, lang, before=before, limit=HISTORY_PAGE)
        return {"wallet": found}

    return await member_page(request, user, "wallet.html", read)


@router.get("/stamps", response_class=HTMLResponse)
async def stamp_cards(request: Request, user: SignedIn) -> Response:
    """Progress on each stamp card, and the cards the member filled with their reward codes."""

    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        cards = await stamps.progress(session, user.tenant_id, user.member_id, lang)
        return {"cards": [c for c in cards if c.active or c.stamps or c.completed]}

    return await member_page(request, user, "stamps.html", read)
