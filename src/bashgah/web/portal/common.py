"""What the portal's pages share: the member guard, the club of the page, the tabs, and the page
helpers (render one, read what it shows in one transaction)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bashgah.auth.sessions import MemberUser
from bashgah.core.errors import NotFound
from bashgah.models import Member, Tenant
from bashgah.portal import otp
from bashgah.portal import service as portal
from bashgah.tenants import service as tenants
from bashgah.web.guard import CsrfRejected, checked_form, database, require_member
from bashgah.web.i18n import translator
from bashgah.web.render import language, render

SignedIn = Annotated[MemberUser, Depends(require_member)]
FACE = "portal"
HISTORY_PAGE = 20
MORE = "/m/more"


def portal_router() -> APIRouter:
    """A part's router: its paths under ``/m``, kept out of the API's schema."""
    return APIRouter(prefix="/m", include_in_schema=False)


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def me(user: MemberUser) -> portal.MemberPrincipal:
    """Who the services see: the member acting for themselves."""
    return portal.principal_of(user.tenant_id, user.member_id)


@dataclass(frozen=True)
class Holder:
    """The signed-in member as the portal's pages show them: their name (empty when they gave none),
    mobile, card number and when they last changed what they agree to receive."""

    first_name: str
    name: str
    mobile: str
    card_number: str
    sms_consent_at: datetime | None
    email_consent_at: datetime | None

    @classmethod
    def of(cls, member: Member) -> Holder:
        name = f"{member.first_name} {member.last_name}".strip()
        return cls(
            member.first_name,
            name,
            member.mobile,
            member.card_number,
            member.sms_consent_at,
            member.email_consent_at,
        )


@dataclass(frozen=True)
class Club:
    slug: str
    name: str
    money_unit: str

    @classmethod
    def of(cls, tenant: Tenant) -> Club:
        return cls(tenant.slug, tenant.name, tenant.money_display)


async def club_of(session: AsyncSession, tenant_id: int) -> Club:
    return Club.of(await tenants.get(session, tenant_id))


async def named_club(request: Request, slug: str) -> Club | None:
    async with database(request).transaction() as session:
        try:
            return Club.of(await otp.club_by_slug(session, slug))
        except NotFound:
            return None


@dataclass(frozen=True)
class Tab:
    href: str
    label: str
    current: bool


@dataclass(frozen=True)
class Navigation:
    #: Every part of the club, in one row of tabs at the top (wider screens).
    tabs: list[Tab]
    #: The phone's bar at the bottom: the places a member goes most, and "More" for the rest.
    bar: list[Tab]
    #: What the "More" page lists.
    more: list[Tab]


def navigation(path: str, lang: str) -> Navigation:
    _ = translator(lang, FACE)
    home, card, rewards_, mine = (
        ("/m", _("Home")),
        ("/m/card", _("Membership card")),
        ("/m/rewards", _("Rewards")),
        ("/m/my-rewards", _("My rewards")),
    )
    rest = [
        ("/m/history", _("History")),
        ("/m/wallet", _("Wallet")),
        ("/m/coupons", _("Coupons")),
        ("/m/stamps", _("Stamp cards")),
        ("/m/profile", _("Profile")),
    ]
    # A reward's own page belongs to the rewards tab; a page of "More" lights up "More" on the phone.
    section = "/m/my-rewards" if path.startswith("/m/my-rewards") else path
    if section.startswith("/m/rewards"):
        section = "/m/rewards"

    def tabs(items: list[tuple[str, str]]) -> list[Tab]:
        return [Tab(href, label, href == section) for href, label in items]

    in_more = section == MORE or any(href == section for href, _label in rest)
    bar = [*tabs([home, card, rewards_, mine]), Tab(MORE, _("More"), in_more)]
    return Navigation(tabs([home, card, rest[0], rewards_, mine, *rest[1:]]), bar, tabs(rest))


def page(
    request: Request, template: str, club: Club | None, user: MemberUser | None = None, **context: Any
) -> HTMLResponse:
    lang = language(request, user)
    return render(
        request,
        f"portal/{template}",
        face=FACE,
        user=user,
        club=club,
        money_unit=club.money_unit if club else "toman",
        nav=navigation(request.url.path, lang) if user else None,
        **context,
    )


#: What a page reads for the signed-in member (in the page's language), as the template's values.
Reader = Callable[[AsyncSession, str], Awaitable[dict[str, Any]]]


async def member_page(
    request: Request, user: MemberUser, template: str, read: Reader | None = None, **context: Any
) -> HTMLResponse:
    """A signed-in member's page: the club and what ``read`` gives, read in one transaction."""
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await club_of(session, user.tenant_id)
        values = await read(session, lang) if read is not None else {}
    return page(request, template, club, user, **values, **context)


async def posted(request: Request, user: MemberUser | None) -> FormData | None:
    """The POSTed form, or None when its CSRF token is missing or old (nothing is done then)."""
    try:
        return await checked_form(request, user)
    except CsrfRejected:
        return None


def expired(request: Request, user: MemberUser | None) -> HTMLResponse:
    return page(request, "expired.html", None, user, status=403)


def not_found(request: Request, club: Club, user: MemberUser) -> HTMLResponse:
    return page(request, "not_found.html", club, user, status=404)
