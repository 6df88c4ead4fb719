"""Campaigns: the list, the editor and the ``examine`` preview.

The editor's structured form covers the common campaign (one purchase rule: a minimum or maximum total,
first purchase, branches, categories; × points or a fixed bonus; dates, weekdays, budget) and builds the
same ``CampaignCreate`` JSON the API validates; anything else is written in the advanced JSON box. Both go
through ``programme.service`` (a new version on every edit), so the till's next sale uses them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import jdatetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.jalali import TEHRAN
from bashgah.core.normalize import to_latin_digits, to_persian_digits
from bashgah.models import utcnow
from bashgah.programme import service as programme
from bashgah.programme.schemas import WEEKDAYS, CampaignCreate, CampaignRead, ExamineResult
from bashgah.purchases import service as purchases
from bashgah.purchases.schemas import PurchaseCreate
from bashgah.segments import service as segments
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.web import fmt
from bashgah.web.console.common import (
    FormProblem,
    Reader,
    Writer,
    amount_rials,
    changed,
    digits,
    done,
    lang_of,
    maybe_whole,
    missing,
    page,
    problems,
    rials_as_typed,
    text,
    typed_day,
)
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/console/campaigns", include_in_schema=False)
#: The conditions the structured form writes; a campaign using others is edited as JSON.
FORM_CONDITIONS = {"purchase_total", "first_purchase", "branch", "items", "tier", "segment"}
EFFECTS = ("points_multiplier", "fixed_bonus")
FIELDS = (
    "mode",
    "name_fa",
    "name_en",
    "priority",
    "budget_points",
    "starts_on",
    "ends_on",
    "min_total",
    "max_total",
    "categories",
    "effect",
    "factor",
    "bonus_points",
    "rule_key",
    "from_hour",
    "to_hour",
    "json",
)
CHECKS = ("active", "stop", "first_purchase")


# --- the form and the campaign's JSON, both ways ----------------------------------------------------


def _day_typed(moment: str | None, lang: str, end: bool = False) -> str:
    if not moment:
        return ""
    local = datetime.fromisoformat(moment).astimezone(TEHRAN)
    d = (local - timedelta(days=1)).date() if end else local.date()
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=d)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return d.isoformat()


def _hour_typed(hour: int | None) -> str:
    return "" if hour is None else str(hour)


def _list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,،\n]", value) if part.strip()]


def typed_of(form: FormData) -> dict[str, Any]:
    typed: dict[str, Any] = {name: text(form, name) for name in FIELDS}
    for name in CHECKS:
        typed[name] = text(form, name) == "1"
    typed["weekdays"] = [w for w in form.getlist("weekdays") if w in WEEKDAYS]
    typed["branches"] = [str(b) for b in form.getlist("branches")]
    typed["tiers"] = [str(t) for t in form.getlist("tiers")]
    typed["segments"] = [str(s) for s in form.getlist("segments")]
    return typed


def definition_of(typed: dict[str, Any], unit: str) -> dict[str, Any]:
    """The ``CampaignCreate`` JSON the form describes (validated by the caller, like the API does)."""
    if typed["mode"] == "json":
        try:
            found = json.loads(typed["json"] or "null")
        except json.JSONDecodeError as error:
            raise FormProblem(
                "Advanced (JSON)",
                "پیشرفته (JSON)",
                f"is not valid JSON (line {error.lineno})",
                f"معتبر نیست (سطر {to_persian_digits(str(error.lineno))})",
            ) from None
        if not isinstance(found, dict):
            raise FormProblem(
                "Advanced (JSON)", "پیشرفته (JSON)", "must be an object {…}", "باید یک شیء {…} باشد"
            )
        return found
    conditions: list[dict[str, Any]] = []
    low = amount_rials(typed["min_total"], unit, "Minimum purchase", "حداقل مبلغ خرید", required=False)
    high = amount_rials(typed["max_total"], unit, "Maximum purchase", "حداکثر مبلغ خرید", required=False)
    if low is not None or high is not None:
        conditions.append({"type": "purchase_total", "min_rials": low, "max_rials": high})
    if typed["first_purchase"]:
        conditions.append({"type": "first_purchase"})
    if typed["branches"]:
        conditions.append({"type": "branch", "branches": typed["branches"]})
    if _list(typed["categories"]):
        conditions.append({"type": "items", "match": {"categories": _list(typed["categories"])}})
    if typed["tiers"]:
        conditions.append({"type": "tier", "levels": typed["tiers"]})
    if typed["segments"]:
        segment_ids = [maybe_whole(s, "Segments", "بخش‌ها") for s in typed["segments"]]
        conditions.append({"type": "segment", "segments": [s for s in segment_ids if s is not None]})
    effect: dict[str, Any]
    if typed["effect"] == "fixed_bonus":
        effect = {
            "type": "fixed_bonus",
            "points": maybe_whole(typed["bonus_points"], "Bonus points", "امتیاز جایزه"),
        }
    else:
        factor = digits(typed["factor"]) or None
        effect = {"type": "points_multiplier", "factor": factor}
    schedule: dict[str, Any] = {}
    starts = typed_day(typed["starts_on"], "First day", "روز شروع")
    ends = typed_day(typed["ends_on"], "Last day", "روز پایان")
    if starts is not None:
        schedule["starts_at"] = datetime.combine(starts, time(0), tzinfo=TEHRAN).isoformat()
    if ends is not None:
        schedule["ends_at"] = datetime.combine(ends + timedelta(days=1), time(0), tzinfo=TEHRAN).isoformat()
    if typed["weekdays"]:
        schedule["weekdays"] = typed["weekdays"]
    from_hour = maybe_whole(typed["from_hour"], "From hour", "از ساعت")
    to_hour = maybe_whole(typed["to_hour"], "Until hour", "تا ساعت")
    if from_hour is not None or to_hour is not None:
        schedule["from_hour"], schedule["to_hour"] = from_hour, to_hour
    return {
        "name_fa": typed["name_fa"],
        "name_en": typed["name_en"] or None,
        "active": typed["active"],
        "priority": maybe_whole(typed["priority"], "Priority", "اولویت") or 0,
        "stop": typed["stop"],
        "budget_points": maybe_whole(typed["budget_points"], "Budget (points)", "سقف کل امتیاز"),
        "schedule": schedule,
        "rules": [{"key": typed["rule_key"] or "main", "conditions": conditions, "effects": [effect]}],
    }


def fits_form(definition: dict[str, Any]) -> bool:
    """Whether the structured form can show this campaign without losing anything."""
    rules = definition.get("rules") or []
    if len(rules) != 1 or definition.get("limits"):
        return False
    rule = rules[0]
    if rule.get("trigger", "purchase") != "purchase":
        return False
    if len(rule.get("effects") or []) != 1 or rule["effects"][0].get("type") not in EFFECTS:
        return False
    if rule["effects"][0].get("items"):
        return False
    types = [c.get("type") for c in rule.get("conditions") or []]
    if len(types) != len(set(types)) or not set(types) <= FORM_CONDITIONS:
        return False
    return all(
        not c["match"].get("skus") and not c["match"].get("brands") and c.get("min_quantity", 1) == 1
        for c in rule.get("conditions") or []
        if c.get("type") == "items"
    )


def typed_from(definition: dict[str, Any] | None, unit: str, lang: str) -> dict[str, Any]:
    """The form's values for a stored campaign (or a new one)."""
    typed: dict[str, Any] = {name: "" for name in FIELDS}
    typed.update(
        active=True,
        stop=False,
        first_purchase=False,
        weekdays=[],
        branches=[],
        tiers=[],
        segments=[],
        effect="points_multiplier",
    )
    if definition is None:
        typed.update(mode="form", factor="2", rule_key="main")
        return typed
    typed["json"] = json.dumps(definition, ensure_ascii=False, indent=2)
    if not fits_form(definition):
        typed["mode"] = "json"
        return typed
    rule = definition["rules"][0]
    schedule = definition.get("schedule") or {}
    typed.update(
        mode="form",
        name_fa=definition.get("name_fa") or "",
        name_en=definition.get("name_en") or "",
        active=bool(definition.get("active", True)),
        stop=bool(definition.get("stop", False)),
        priority=str(definition.get("priority") or 0),
        budget_points=str(definition["budget_points"]) if definition.get("budget_points") else "",
        starts_on=_day_typed(schedule.get("starts_at"), lang),
        ends_on=_day_typed(schedule.get("ends_at"), lang, end=True),
        weekdays=list(schedule.get("weekdays") or []),
        from_hour=_hour_typed(schedule.get("from_hour")),
        to_hour=_hour_typed(schedule.get("to_hour")),
        rule_key=rule.get("key") or "main",
    )
    for c in rule.get("conditions") or []:
        if c["type"] == "purchase_total":
            typed["min_total"] = rials_as_typed(c.get("min_rials"), unit)
            typed["max_total"] = rials_as_typed(c.get("max_rials"), unit)
        elif c["type"] == "first_purchase":
            typed["first_purchase"] = True
        elif c["type"] == "branch":
            typed["branches"] = list(c["branches"])
        elif c["type"] == "items":
            typed["categories"] = ", ".join(c["match"].get("categories") or [])
        elif c["type"] == "tier":
            typed["tiers"] = list(c["levels"])
        elif c["type"] == "segment":
            typed["segments"] = [str(s) for s in c["segments"]]
    effect = rule["effects"][0]
    typed["effect"] = effect["type"]
    if effect["type"] == "fixed_bonus":
        typed["bonus_points"] = str(effect["points"])
    else:
        typed["factor"] = str(effect["factor"])
    return typed


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


@router.get("/examine", response_class=HTMLResponse)
async def examine(
    request: Request,
    user: Reader,
    member: str = "",
    branch: str = "",
    total: str = "",
    items: str = "",
    payment: str = "",
    on: str = "",
    at: str = "",
) -> Response:
    """What a sale would earn and why, campaign by campaign and rule by rule; writes nothing. A day and
    a time of day examine it at that moment (a Friday evening, next month's campaign)."""
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    typed = {
        "member": member,
        "branch": branch,
        "total": total,
        "items": items,
        "payment": payment,
        "on": on,
        "at": at,
    }
    result: ExamineResult | None = None
    errors: list[str] = []
    async with database(request).transaction() as session:
        branches = await tenants.list_branches(session, user.tenant_id)
    if member.strip():
        try:
            sale = _sale(typed, user.money_unit, branches[0].code if branches else None)
            async with database(request).transaction() as session:
                result = await purchases.examine(session, user.principal, sale, lang)
        except (BashgahError, ValidationError) as error:
            labels = {
                "total_rials": _("Purchase total"),
                "items": _("Items"),
                "member": _("Member"),
                "occurred_at": _("Day"),
            }
            errors = problems(error, lang, labels, unit=user.money_unit)
    return page(
        request,
        "examine.html",
        user,
        typed=typed,
        branches=branches,
        result=result,
        errors=errors,
        section="campaigns",
    )


def _sale(typed: dict[str, str], unit: str, first_branch: str | None) -> PurchaseCreate:
    who = to_latin_digits(typed["member"]).strip()
    plain = re.sub(r"[\s-]", "", who)
    ref = {"card": who} if plain.isdigit() and len(plain) == 16 else {"mobile": who}
    lines: list[dict[str, Any]] = []
    for number, line in enumerate(typed["items"].splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,،]", line)]
        if len(parts) != 4:
            raise FormProblem(
                f"Items, line {number}",
                f"اقلام، سطر {to_persian_digits(str(number))}",
                "must read: code, category, quantity, unit price",
                "باید این‌طور باشد: کد کالا، دسته، تعداد، قیمت واحد",
            )
        label_en, label_fa = f"Items, line {number}", f"اقلام، سطر {to_persian_digits(str(number))}"
        lines.append(
            {
                "sku": parts[0],
                "category": parts[1] or None,
                "quantity": maybe_whole(parts[2], label_en, label_fa) or 1,
                "unit_price_rials": amount_rials(parts[3], unit, label_en, label_fa),
            }
        )
    return PurchaseCreate.model_validate(
        {
            "member": ref,
            "branch": typed["branch"] or first_branch,
            "occurred_at": examined_at(typed["on"], typed["at"]),
            "external_id": "examine",
            "total_rials": amount_rials(typed["total"], unit, "Purchase total", "مبلغ خرید"),
            "items": lines,
            "payment_method": typed["payment"] or None,
        }
    )


_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")


def examined_at(on: str, at: str) -> datetime | None:
    """The moment typed on the examine form, in Tehran time: a day (Jalali or Gregorian) and a time of day
    (``18:30``; midday when only a day is given); a time alone is today at that time; neither: now."""
    if not on.strip() and not at.strip():
        return None
    day = typed_day(on.strip(), "Day", "روز") or datetime.now(TEHRAN).date()
    clock = time(12, 0)
    if at.strip():
        found = _CLOCK.fullmatch(to_latin_digits(at).strip().replace("٫", ":"))
        hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (99, 99)
        if hour > 23 or minute > 59:
            raise FormProblem("Time", "ساعت", "must look like 18:30", "باید به شکل ۱۸:۳۰ باشد")
        clock = time(hour, minute)
    return datetime.combine(day, clock, tzinfo=TEHRAN)


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


@router.post("", response_class=HTMLResponse)
async def create_campaign(request: Request, user: Writer) -> Response:
    return await _save(request, user, None)


@router.post("/{campaign_id}", response_class=HTMLResponse)
async def update_campaign(request: Request, user: Writer, campaign_id: int) -> Response:
    return await _save(request, user, campaign_id)
