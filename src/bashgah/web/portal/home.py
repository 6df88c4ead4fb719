"""The member's home (points, their worth, coming expiries, level, latest lines), the membership card and
the "More" page of the phone."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import MemberUser
from bashgah.members import service as members
from bashgah.models import utcnow
from bashgah.points import service as member_points
from bashgah.portal import service as portal
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import MemberTierRead
from bashgah.web import fmt
from bashgah.web.portal.common import Holder, SignedIn, me, member_page, portal_router
from bashgah.web.qr import qr_svg

router = portal_router()


async def _tier(session: AsyncSession, user: MemberUser, lang: str) -> MemberTierRead | None:
    found = await tiers.ladder(session, user.tenant_id)
    if found is None or not found.enabled:
        return None
    return await tiers.summary(session, user.tenant_id, user.member_id, lang)


def progress(tier: MemberTierRead) -> int:
    """How far the member is from their level to the next, in percent (0 to 100)."""
    if tier.next_level is None:
        return 100
    span = tier.next_level.threshold - tier.level.threshold
    percent = (tier.value - tier.level.threshold) * 100 // span if span > 0 else 100
    return max(0, min(percent, 100))


@router.get("", response_class=HTMLResponse)
async def home(request: Request, user: SignedIn) -> Response:
    now = utcnow()

    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        tier = await _tier(session, user, lang)
        recent = await member_points.history(session, me(user), user.member_id, lang, limit=5)
        return {
            "member": Holder.of(await members.get(session, user.tenant_id, user.member_id)),
            "worth": await portal.worth(session, user.tenant_id, user.member_id, now),
            "expiries": await portal.coming_expiries(session, user.tenant_id, user.member_id, now),
            "tier": tier,
            "progress": progress(tier) if tier else 0,
            "recent": recent.items,
        }

    return await member_page(request, user, "home.html", read)


@router.get("/card", response_class=HTMLResponse)
async def membership_card(request: Request, user: SignedIn) -> Response:
    """The digital membership card: the QR code the till scans (``members.qr_payload``, which the till's
    lookup accepts as scanned) and the card number to type when there is no scanner."""

    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        member = await members.get(session, user.tenant_id, user.member_id)
        tier = await _tier(session, user, lang)
        return {
            "member": Holder.of(member),
            "worth": await portal.worth(session, user.tenant_id, user.member_id, utcnow()),
            "level": tier.level.name if tier else "",
            "card_number": fmt.card(member.card_number, lang),
            "qr": qr_svg(members.qr_payload(member.card_number)),
        }

    return await member_page(request, user, "card.html", read)


@router.get("/more", response_class=HTMLResponse)
async def more(request: Request, user: SignedIn) -> Response:
    """The rest of the club on a phone, whose bottom bar holds only the most used places."""
    return await member_page(request, user, "more.html")
