"""The manager's console (/console): owners and managers change things, analysts only read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bashgah.web.guard import CONSOLE_ROLES, require_staff
from bashgah.web.render import render
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[StaffUser, Depends(require_staff(*CONSOLE_ROLES))]


@router.get("", response_class=HTMLResponse)
async def home(request: Request, user: Reader) -> Response:
    """The console's front page."""
    return render(request, "console/home.html", face="console", user=user)
