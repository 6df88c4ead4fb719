"""Campaigns: the list (status and schedule in words) and the editor. Both the structured form
(``campaigns.form``) and the JSON box go through ``programme.campaigns`` (a new version on every edit), so the
till's next sale uses them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.normalize import to_persian_digits
from bashgah.models import utcnow
from bashgah.programme import campaigns as programme
from bashgah.programme.schemas import WEEKDAYS, CampaignCreate, CampaignRead
from bashgah.segments import service as segments
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.web import fmt
from bashgah.web.console.campaigns.form import definition_of, typed_from, typed_of
from bashgah.web.console.common import Reader, Writer, changed, done, lang_of, missing, page, problems, saving
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/campaigns", include_in_schema=False)


# --- the list: status and schedule in words ---------------------------------------------------------


def status_of(definition: CampaignCreate, now: datetime) -> str:
    """``paused`` (switched off), ``scheduled`` (on, but its first day is still to come), ``ended`` (its
    last day has passed) or ``active``."""
    schedule = definition.schedule
    if not definition.active:
        return "paused"
    if schedule.starts_at is not None and schedule.starts_at > now:
        return "scheduled"
    if schedule.ends_at is not None and schedule.ends_at <= now:
        return "ended"
    return "active"


def schedule_words(definition: CampaignCreate, lang: str) -> str:
    """``From 1 Farvardin 1405 to 13 Farvardin 1405 · Friday · 18:00–22:00``, or "Always"."""
    _ = translator(lang, "console")
    schedule = definition.schedule
    parts = []
    if schedule.starts_at is not None and schedule.ends_at is not None:
        parts.append(
            _(
                "%(first)s to %(last)s",
                first=fmt.day(schedule.starts_at, lang),
                last=fmt.day(schedule.ends_at - timedelta(seconds=1), lang),
            )
        )
    elif schedule.starts_at is not None:
        parts.append(_("from %(first)s", first=fmt.day(schedule.starts_at, lang)))
    elif schedule.ends_at is not None:
        parts.append(_("until %(last)s", last=fmt.day(schedule.ends_at - timedelta(seconds=1), lang)))
    if schedule.weekdays:
        names = weekday_names(_)
        parts.append(("، " if lang == "fa" else ", ").join(names[d] for d in schedule.weekdays))
    if schedule.from_hour is not None and schedule.to_hour is not None:
        hours = f"{schedule.from_hour:02d}:00–{schedule.to_hour:02d}:00"
        # Isolated left to right (LRI … PDI), or Persian text turns "18:00–22:00" around.
        parts.append(f"\u2066{to_persian_digits(hours)}\u2069" if lang == "fa" else hours)
    return " · ".join(parts) if parts else _("Always")


def weekday_names(_: Callable[..., str]) -> dict[str, str]:
    return {
        "saturday": _("Saturday"),
        "sunday": _("Sunday"),
        "monday": _("Monday"),
        "tuesday": _("Tuesday"),
        "wednesday": _("Wednesday"),
        "thursday": _("Thursday"),
        "friday": _("Friday"),
    }


@dataclass(frozen=True)
class CampaignRow:
    campaign: CampaignRead
    status: str
    schedule: str


# --- pages ------------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
async def campaigns(request: Request, user: Reader, done: str = "") -> Response:
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    async with database(request).transaction() as session:
        found = await programme.list_campaigns(session, user.principal)
    now = utcnow()
    rows = [CampaignRow(c, status_of(c.definition, now), schedule_words(c.definition, lang)) for c in found]
    saved = done if done.isdigit() else None
    notice = (
        _("Campaign %(id)s is saved; the next sale uses it.", id=fmt.digits(saved, lang)) if saved else None
    )
    return page(request, "campaigns.html", user, campaigns=rows, notice=notice)


async def _editor(
    request: Request,
    user: StaffUser,
    campaign: CampaignRead | None,
    typed: dict[str, Any],
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    lang = lang_of(request, user)
    async with database(request).transaction() as session:
        branches = await tenants.list_branches(session, user.tenant_id)
        ladder = await tiers.ladder(session, user.tenant_id)
        groups = await segments.list_segments(session, user.tenant_id)
    levels = [(lv.code, lv.name_fa if lang == "fa" else lv.name_en) for lv in ladder.levels] if ladder else []
    return page(
        request,
        "campaign.html",
        user,
        status=status,
        campaign=campaign,
        typed=typed,
        branches=branches,
        levels=levels,
        segments=[(str(g.id), g.name) for g in groups],
        weekdays=WEEKDAYS,
        day_names=weekday_names(translator(lang, "console")),
        form_errors=errors or [],
        section="campaigns",
    )


@router.get("/new", response_class=HTMLResponse)
async def new_campaign(request: Request, user: Writer) -> Response:
    return await _editor(request, user, None, typed_from(None, user.money_unit, lang_of(request, user)))


@router.get("/{campaign_id}", response_class=HTMLResponse)
async def edit_campaign(request: Request, user: Reader, campaign_id: int) -> Response:
    try:
        async with database(request).transaction() as session:
            campaign = await programme.get(session, user.principal, campaign_id)
    except NotFound as error:
        return _missing(request, user, error)
    definition = campaign.definition.model_dump(mode="json")
    return await _editor(
        request, user, campaign, typed_from(definition, user.money_unit, lang_of(request, user))
    )


async def _save(request: Request, user: StaffUser, campaign_id: int | None) -> Response:
    form = await checked_form(request, user)
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    typed = typed_of(form)
    current: CampaignRead | None = None
    try:
        data = CampaignCreate.model_validate(definition_of(typed, user.money_unit))
        async with database(request).transaction() as session:
            if campaign_id is None:
                saved = await programme.create(session, user.principal, data)
                await changed(session, user, "campaign.created", "campaign", saved.id, version=saved.version)
            else:
                saved = await programme.update_campaign(session, user.principal, campaign_id, data)
                await changed(session, user, "campaign.changed", "campaign", saved.id, version=saved.version)
    except (BashgahError, ValidationError) as error:
        labels = {
            "name_fa": _("Name (Persian)"),
            "name_en": _("Name (English)"),
            "priority": _("Priority"),
            "budget_points": _("Budget (points)"),
            "factor": _("Multiplier"),
            "points": _("Bonus points"),
            "min_rials": _("Minimum purchase"),
            "max_rials": _("Maximum purchase"),
            "schedule": _("Dates"),
            "rules": _("Rules"),
        }
        if campaign_id is not None:
            try:
                async with database(request).transaction() as session:
                    current = await programme.get(session, user.principal, campaign_id)
            except NotFound as missing:
                return _missing(request, user, missing)
        return await _editor(
            request, user, current, typed, problems(error, lang, labels, unit=user.money_unit), status=422
        )
    return done(f"/console/campaigns?done={saved.id}")


def _missing(request: Request, user: StaffUser, error: NotFound) -> Response:
    return missing(request, user, error, section="campaigns")


saving(router, _save)
