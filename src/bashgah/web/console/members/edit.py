"""A member's own fields, corrected by a manager through the same ``members.service.update`` as the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jdatetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, DuplicateMember, NotFound
from bashgah.core.normalize import local_mobile
from bashgah.members import service as members
from bashgah.members.schemas import MemberUpdate
from bashgah.models import Member
from bashgah.web.console.common import (
    Writer,
    changed,
    done,
    lang_of,
    missing,
    page,
    problems,
)
from bashgah.web.console.members.profile import member_or_missing
from bashgah.web.forms import values
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/members", include_in_schema=False)


# --- the profile's own fields -----------------------------------------------------------------------------

#: The fields of the edit form, as ``MemberUpdate`` names them (tags are typed comma-separated).
PROFILE_FIELDS = ("first_name", "last_name", "mobile", "birth_date", "email", "national_code", "tags")
#: What the audit line names when a field changed (names of fields only, never their values).
_AUDITED = ("first_name", "last_name", "mobile", "birth_date", "email", "national_code", "tags")


def field_labels(_: Callable[..., str]) -> dict[str, str]:
    """The profile's fields as the form (and the audit log) names them."""
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "mobile": _("Mobile"),
        "birth_date": _("Birthday"),
        "email": _("Email"),
        "national_code": _("National code"),
        "tags": _("Tags"),
    }


def profile_typed(member: Member, lang: str) -> dict[str, str]:
    """The form's values for a stored member: the birthday as Jalali in Persian, Gregorian in English."""
    birth = ""
    if member.birth_date is not None:
        if lang == "fa":
            j = jdatetime.date.fromgregorian(date=member.birth_date)
            birth = f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
        else:
            birth = member.birth_date.isoformat()
    mobile = local_mobile(member.mobile)
    return {
        "first_name": member.first_name or "",
        "last_name": member.last_name or "",
        "mobile": mobile,
        "birth_date": birth,
        "email": member.email or "",
        "national_code": member.national_code or "",
        "tags": ", ".join(member.tags or []),
    }


def profile_update(typed: dict[str, str]) -> MemberUpdate:
    """What the form asks to change, as the API's ``MemberUpdate`` (empty optional fields clear them)."""
    return MemberUpdate.model_validate(
        {
            "first_name": typed["first_name"],
            "last_name": typed["last_name"],
            "mobile": typed["mobile"],
            "birth_date": typed["birth_date"] or None,
            "email": typed["email"] or None,
            "national_code": typed["national_code"] or None,
            "tags": [t.strip() for t in re.split(r"[,،]", typed["tags"]) if t.strip()],
        }
    )


def _snapshot(member: Member) -> dict[str, Any]:
    return {name: getattr(member, name) for name in _AUDITED}


async def _edit_page(
    request: Request,
    user: StaffUser,
    member_id: int,
    typed: dict[str, str] | None = None,
    errors: list[str] | None = None,
    other_id: int | None = None,
) -> Response:
    lang = lang_of(request, user)
    member = await member_or_missing(request, user, member_id)
    if isinstance(member, Response):
        return member
    return page(
        request,
        "member_edit.html",
        user,
        status=422 if errors else 200,
        member=member,
        typed=typed or profile_typed(member, lang),
        form_errors=errors or [],
        other_id=other_id,
        section="members",
    )


@router.get("/{member_id}/edit", response_class=HTMLResponse)
async def edit_profile(request: Request, user: Writer, member_id: int) -> Response:
    return await _edit_page(request, user, member_id)


@router.post("/{member_id}/edit", response_class=HTMLResponse)
async def save_profile(request: Request, user: Writer, member_id: int) -> Response:
    """The manager corrects a member's name, birthday, email, national code, tags or mobile through the
    same ``members.service.update`` as the API (a mobile or national code another member has is
    refused); the audit line names the fields that changed, never their values."""
    form = await checked_form(request, user)
    typed = values(form, *PROFILE_FIELDS)
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    labels = field_labels(_)
    try:
        data = profile_update(typed)
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
            before = _snapshot(member)
            member = await members.update(session, user.tenant_id, member_id, data)
            after = _snapshot(member)
            fields = [name for name in _AUDITED if before[name] != after[name]]
            if fields:
                await changed(session, user, "member.profile_changed", "member", member_id, fields=fields)
    except NotFound as error:
        return missing(request, user, error, section="members")
    except (BashgahError, ValidationError) as error:
        other_id = None
        if isinstance(error, DuplicateMember) and error.params.get("field") == "mobile":
            other_id = await _holder_of(request, user, typed["mobile"])
        return await _edit_page(
            request, user, member_id, typed, problems(error, lang, labels, unit=user.money_unit), other_id
        )
    return done(f"/console/members/{member_id}?done=profile")


async def _holder_of(request: Request, user: StaffUser, mobile: str) -> int | None:
    """The member who already has this mobile, to link to from the refusal."""
    try:
        async with database(request).transaction() as session:
            return (await members.get_by_mobile(session, user.tenant_id, mobile)).id
    except BashgahError:
        return None
