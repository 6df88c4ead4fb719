"""API keys: a new key (shown once), revoking one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth import service as auth
from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, InvalidInput
from bashgah.tenants import service as tenants
from bashgah.web.console.common import FormPage, Writer, changed, lang_of, problems
from bashgah.web.forms import values
from bashgah.web.guard import checked_form, database

router = APIRouter(prefix="/console/club/keys", include_in_schema=False)
KEY_ROLES = ("owner", "manager", "cashier", "integration")


async def _load(
    session: AsyncSession, user: StaffUser, lang: str, secret: str | None = None
) -> dict[str, Any]:
    return {
        "keys": await auth.list_keys(session, user.tenant_id),
        "branches": await tenants.list_branches(session, user.tenant_id),
        "roles": KEY_ROLES,
        "typed": {"name": "", "role": "integration", "branch": ""},
        "secret": secret,
    }


PAGE = FormPage("club/keys.html", _load, "/console/club/keys?done=1")
PAGE.serve(router, "api_keys")


@router.post("", response_class=HTMLResponse)
async def create_key(request: Request, user: Writer) -> Response:
    """The new key is shown once, on this answer (pages are never cached); only its hash is stored."""
    form = await checked_form(request, user)
    typed = values(form, "name", "role", "branch")
    lang = lang_of(request, user)
    try:
        if not typed["name"] or len(typed["name"]) > 100:
            raise InvalidInput("name", "1 to 100 characters", "۱ تا ۱۰۰ نویسه", "نام")
        async with database(request).transaction() as session:
            branch_id = None
            if typed["branch"]:
                branch_id = (await tenants.resolve_branch(session, user.tenant_id, typed["branch"], None)).id
            key, plaintext = await auth.create(
                session, user.tenant_id, typed["name"], typed["role"], branch_id
            )
            await changed(session, user, "api_key.created", "api_key", key.id, role=key.role)
    except BashgahError as error:
        return await PAGE.show(request, user, typed, problems(error, lang, unit=user.money_unit))
    return await PAGE.show(request, user, secret=plaintext)


@router.post("/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_key(request: Request, user: Writer, key_id: int) -> Response:
    await checked_form(request, user)

    async def step(session: AsyncSession) -> None:
        await auth.revoke(session, user.tenant_id, key_id)
        await changed(session, user, "api_key.revoked", "api_key", key_id)

    return await PAGE.act(request, user, step)
