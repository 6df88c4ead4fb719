"""The club's branches: its stores and its online shop."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.tenants import service as tenants
from bashgah.tenants.schemas import BranchCreate
from bashgah.web.console.common import N_, FormPage, Sent, Step, Writer, changed

router = APIRouter(prefix="/console/club/branches", include_in_schema=False)


async def _load(session: AsyncSession, user: StaffUser, lang: str) -> dict[str, Any]:
    return {
        "branches": await tenants.list_branches(session, user.tenant_id),
        "typed": {"code": "", "name": "", "kind": "store"},
    }


LABELS = {
    "kind": N_("Kind"),
}
PAGE = FormPage("club/branches.html", _load, "/console/club/branches?done=1", LABELS)
PAGE.serve(router, "branches")


@router.post("", response_class=HTMLResponse)
async def create_branch(request: Request, user: Writer) -> Response:
    def build(sent: Sent) -> Step:
        data = BranchCreate.model_validate(sent.typed)

        async def step(session: AsyncSession) -> None:
            made = await tenants.create_branch(session, user.tenant_id, data)
            await changed(session, user, "branch.created", "branch", made.id, code=made.code)

        return step

    return await PAGE.save(request, user, ("code", "name", "kind"), build)
