"""The campaign editor's structured form and the campaign's JSON, both ways: the form covers the common
campaign (one purchase rule: a minimum or maximum total, first purchase, branches, categories; × points or
a fixed bonus; dates, weekdays, budget) and builds the same ``CampaignCreate`` JSON the API validates; a
campaign using anything else is edited in the advanced JSON box."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta
from typing import Any

import jdatetime
from starlette.datastructures import FormData

from bashgah.core.jalali import TEHRAN
from bashgah.core.normalize import to_persian_digits
from bashgah.programme.schemas import WEEKDAYS
from bashgah.web import fmt
from bashgah.web.forms import FormProblem, digits, maybe_whole, text, typed_day, typed_rials

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
    low = typed_rials(typed["min_total"], unit, "Minimum purchase", "حداقل مبلغ خرید", required=False)
    high = typed_rials(typed["max_total"], unit, "Maximum purchase", "حداکثر مبلغ خرید", required=False)
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
            typed["min_total"] = fmt.rials_as_typed(c.get("min_rials"), unit)
            typed["max_total"] = fmt.rials_as_typed(c.get("max_rials"), unit)
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
