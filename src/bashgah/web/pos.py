"""The cashier's till (/pos): find or enrol a member, record a sale, print the receipt, refund."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bashgah.web.guard import POS_ROLES, require_staff
from bashgah.web.render import render
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/pos", include_in_schema=False)
Cashier = Annotated[StaffUser, Depends(require_staff(*POS_ROLES))]


@router.get("", response_class=HTMLResponse)
async def lookup_page(request: Request, user: Cashier) -> Response:
    return render(request, "pos/lookup.html", face="pos", user=user, q="")
