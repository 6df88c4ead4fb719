"""A member's purchases and one purchase in full: its lines, the points it earned and spent, the campaigns
that gave more and every return, so a manager can answer "what happened to my points on that receipt?".
Statement lines on the member's profile link here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import NotFound
from bashgah.members import service as members
from bashgah.models import Member
from bashgah.purchases import reads as purchases
from bashgah.purchases.reads import PurchaseDetail
from bashgah.tenants import service as tenants
from bashgah.web.console.common import Reader, missing, page, read_or_missing
from bashgah.web.guard import database

router = APIRouter(prefix="/console", include_in_schema=False)
#: Purchases on one page of a member's list.
PURCHASES_PAGE = 50


@router.get("/members/{member_id}/purchases", response_class=HTMLResponse)
async def member_purchases(request: Request, user: Reader, member_id: int, before: str = "") -> Response:
    older = int(before) if before.isdigit() and len(before) < 19 else None
    try:
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
            found = await purchases.recent_of_member(
                session, user.principal, member_id, PURCHASES_PAGE + 1, before=older
            )
            branches = {b.code: b.name for b in await tenants.list_branches(session, user.tenant_id)}
    except NotFound as error:
        return missing(request, user, error, section="members")
    rows = found[:PURCHASES_PAGE]
    return page(
        request,
        "member_purchases.html",
        user,
        member=member,
        purchases=rows,
        branches=branches,
        next_before=rows[-1].id if len(found) > PURCHASES_PAGE else None,
        section="members",
    )


@router.get("/purchases/{purchase_id}", response_class=HTMLResponse)
async def purchase(request: Request, user: Reader, purchase_id: int) -> Response:
    read = await read_or_missing(
        request, user, lambda session: _purchase(session, user, purchase_id), "members"
    )
    if isinstance(read, Response):
        return read
    found, member, branches = read
    return page(
        request,
        "purchase.html",
        user,
        detail=found,
        p=found.purchase,
        member=member,
        branch_name=branches.get(found.purchase.branch, found.purchase.branch),
        section="members",
    )


async def _purchase(
    session: AsyncSession, user: StaffUser, purchase_id: int
) -> tuple[PurchaseDetail, Member, dict[str, str]]:
    """A purchase, its member and the club's branch names by code."""
    found = await purchases.detail(session, user.principal, purchase_id)
    member = await members.get(session, user.tenant_id, found.purchase.member_id)
    return found, member, {b.code: b.name for b in await tenants.list_branches(session, user.tenant_id)}
