"""The member's profile: their name, birthday, email and what they agree to receive."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import MemberUser
from bashgah.core.errors import BashgahError, InvalidInput
from bashgah.core.jalali import to_jalali_str
from bashgah.core.normalize import to_persian_digits
from bashgah.members import service as members
from bashgah.members.schemas import MemberUpdate
from bashgah.models import Member
from bashgah.web import fmt, forms
from bashgah.web.guard import database
from bashgah.web.i18n import translator
from bashgah.web.portal.common import (
    FACE,
    Holder,
    SignedIn,
    expired,
    member_page,
    portal_router,
    posted,
    redirect,
)
from bashgah.web.render import language

router = portal_router()
#: The profile's text fields and how much of each is kept.
LIMITS = {"first_name": 100, "last_name": 100, "birth_date": 16, "email": 254}
CONSENTS = ("sms_consent", "email_consent")


def _birth_text(member: Member, lang: str) -> str:
    if member.birth_date is None:
        return ""
    return (
        to_persian_digits(to_jalali_str(member.birth_date)) if lang == "fa" else member.birth_date.isoformat()
    )


def _profile_values(member: Member, lang: str) -> dict[str, Any]:
    return {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "birth_date": _birth_text(member, lang),
        "email": member.email or "",
        "sms_consent": member.sms_consent,
        "email_consent": member.email_consent,
    }


async def _profile_page(
    request: Request, user: MemberUser, typed: dict[str, Any] | None = None, **context: Any
) -> HTMLResponse:
    """The profile form: the stored values, or (after a refusal) the values as typed."""

    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        member = await members.get(session, user.tenant_id, user.member_id)
        return {
            "member": Holder.of(member),
            "values": typed if typed is not None else _profile_values(member, lang),
        }

    return await member_page(request, user, "profile.html", read, **context)


@router.get("/profile", response_class=HTMLResponse)
async def profile(request: Request, user: SignedIn, saved: int = 0) -> Response:
    return await _profile_page(request, user, saved=bool(saved), invalid="")


@router.post("/profile", response_class=HTMLResponse)
async def save_profile(request: Request, user: SignedIn) -> Response:
    form = await posted(request, user)
    if form is None:
        return expired(request, user)
    lang = language(request, user)
    values: dict[str, Any] = {**forms.fields(form, LIMITS), **{c: forms.ticked(form, c) for c in CONSENTS}}
    try:
        change = MemberUpdate(**values, consent_source="portal")
        async with database(request).transaction() as session:
            await members.update(session, user.tenant_id, user.member_id, change)
    except (BashgahError, ValidationError) as error:
        message = fmt.error(error, lang) if isinstance(error, BashgahError) else _invalid_message(lang)
        invalid = error.field if isinstance(error, InvalidInput) else ""
        status = error.status if isinstance(error, BashgahError) else 422
        return await _profile_page(
            request, user, values, status=status, errors=[message], saved=False, invalid=invalid
        )
    return redirect("/m/profile?saved=1")


def _invalid_message(lang: str) -> str:
    _ = translator(lang, FACE)
    return _("Some of the values are too long. Nothing was saved.")
