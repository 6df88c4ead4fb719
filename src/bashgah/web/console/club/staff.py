"""The club's people: adding one, their role and branch, a new password, disabling them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth import sessions
from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import InvalidInput
from bashgah.models import Branch, Staff
from bashgah.staff import service as staff
from bashgah.tenants import service as tenants
from bashgah.web.console.common import FormPage, Step, Writer, changed
from bashgah.web.forms import values
from bashgah.web.guard import checked_form

router = APIRouter(prefix="/console/club/staff", include_in_schema=False)


def _new_staff_form(branches: Sequence[Branch]) -> dict[str, str]:
    """An empty "add a person" form that can be sent as it is: most people an owner adds are cashiers, and a
    cashier works at a branch, so the first branch is chosen; a club without branches starts at a role
    that needs none."""
    open_ = [branch for branch in branches if branch.active]
    if open_:
        return {"username": "", "full_name": "", "role": "cashier", "branch": open_[0].code, "password": ""}
    return {"username": "", "full_name": "", "role": "manager", "branch": "", "password": ""}


@dataclass(frozen=True)
class Person:
    """A row of the staff table, as shown to the person reading it."""

    id: int
    full_name: str
    username: str
    role: str
    branch_id: int | None
    #: The branch's name, or a dash.
    branch: str
    active: bool
    #: Whether the reader may change their role or password (only an owner touches an owner).
    changeable: bool
    is_you: bool


def people_of(found: Sequence[Staff], branches: Sequence[Branch], user: StaffUser) -> list[Person]:
    names = {b.id: b.name for b in branches}
    return [
        Person(
            id=p.id,
            full_name=p.full_name,
            username=p.username,
            role=p.role,
            branch_id=p.branch_id,
            branch=names.get(p.branch_id, "—") if p.branch_id else "—",
            active=p.disabled_at is None,
            changeable=p.disabled_at is None and (user.role == "owner" or p.role != "owner"),
            is_you=p.id == user.staff_id,
        )
        for p in found
    ]


async def _load(session: AsyncSession, user: StaffUser, lang: str) -> dict[str, Any]:
    found = await tenants.list_branches(session, user.tenant_id)
    return {
        "people": people_of(await staff.list_staff(session, user.tenant_id), found, user),
        "branches": found,
        "roles": staff.STAFF_ROLES,
        "typed": _new_staff_form(found),
    }


PAGE = FormPage("club/staff.html", _load, "/console/club/staff?done=1")
PAGE.serve(router, "staff_list")


async def _branch_id(session: AsyncSession, user: StaffUser, code: str) -> int | None:
    return (await tenants.resolve_branch(session, user.tenant_id, code, None)).id if code else None


@router.post("", response_class=HTMLResponse)
async def add_staff(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, "username", "full_name", "role", "branch")
    password = form.get("password")

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            person = await staff.add(
                session,
                user.tenant_id,
                typed["username"],
                typed["full_name"],
                typed["role"],
                await _branch_id(session, user, typed["branch"]),
                password=password if isinstance(password, str) else "",
            )
            await changed(session, user, "staff.added", "staff", person.id, role=person.role)

        return step

    # a password is never sent back to the browser
    return await PAGE.submit(request, user, build, {**typed, "password": ""})


@router.post("/{staff_id}/disable", response_class=HTMLResponse)
async def disable_staff(request: Request, user: Writer, staff_id: int) -> Response:
    await checked_form(request, user)

    def build() -> Step:
        if staff_id == user.staff_id:
            raise InvalidInput(
                "staff", "you cannot disable yourself", "نمی‌توانید خودتان را غیرفعال کنید", "کارمند"
            )

        async def step(session: AsyncSession) -> None:
            person = await staff.get(session, user.tenant_id, staff_id)
            await staff.disable(session, user.tenant_id, person.username)
            await changed(session, user, "staff.disabled", "staff", person.id)

        return step

    return await PAGE.submit(request, user, build, None)


@router.post("/{staff_id}/password", response_class=HTMLResponse)
async def reset_staff_password(request: Request, user: Writer, staff_id: int) -> Response:
    """A new password for a person who forgot theirs; every session they had is ended."""
    form = await checked_form(request, user)
    password = form.get("password")

    async def step(session: AsyncSession) -> None:
        typed = password if isinstance(password, str) else ""
        person = await staff.reset_password(session, user.tenant_id, staff_id, typed, user.role)
        await sessions.end_all_of_staff(session, person.id)
        await changed(session, user, "staff.password_reset", "staff", person.id)

    return await PAGE.act(request, user, step)


@router.post("/{staff_id}/role", response_class=HTMLResponse)
async def change_staff_role(request: Request, user: Writer, staff_id: int) -> Response:
    """Another role (and branch) for a person; the club's last owner stays owner."""
    form = await checked_form(request, user)
    typed = values(form, "role", "branch")

    async def step(session: AsyncSession) -> None:
        branch = typed["branch"] if typed["role"] == "cashier" else ""
        branch_id = await _branch_id(session, user, branch)
        before = (await staff.get(session, user.tenant_id, staff_id)).role
        person = await staff.change_role(
            session, user.tenant_id, staff_id, typed["role"], branch_id, user.role
        )
        await changed(
            session, user, "staff.role_changed", "staff", person.id, role_before=before, role=person.role
        )

    return await PAGE.act(request, user, step)
