"""The tier ladder: what counts (spend or points) over which window, how members move down, and the
levels with their thresholds, multipliers and birthday gifts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bashgah.auth.sessions import StaffUser
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import TierConfigUpdate
from bashgah.web import fmt
from bashgah.web.console.common import N_, FormPage, Step, Writer, changed
from bashgah.web.forms import maybe_whole, text, typed_rials, values
from bashgah.web.guard import checked_form

router = APIRouter(prefix="/console/club/tiers", include_in_schema=False)
#: Blank rows the tier form offers for new levels.
NEW_LEVELS = 2
LEVEL_FIELDS = ("code", "name_fa", "name_en", "threshold", "multiplier", "birthday")
POLICY_FIELDS = ("metric", "window", "window_months", "downgrade", "grace_days")


async def _load(session: AsyncSession, user: StaffUser, lang: str) -> dict[str, Any]:
    found = await tiers.ladder(session, user.tenant_id)
    typed: dict[str, Any] = {"enabled": True, "metric": "spend", "window": "rolling", "window_months": "12"}
    typed.update(downgrade="one_down", grace_days="30", levels=[])
    if found is not None:
        typed.update(
            enabled=found.enabled,
            metric=found.metric,
            window=found.window,
            window_months=str(found.window_months),
            downgrade=found.downgrade,
            grace_days=str(found.grace_days),
        )
        typed["levels"] = [
            {
                "code": lv.code,
                "name_fa": lv.name_fa,
                "name_en": lv.name_en,
                "threshold": fmt.rials_as_typed(lv.threshold, user.money_unit)
                if found.metric == "spend"
                else str(lv.threshold),
                "multiplier": str(lv.earn_multiplier_pct),
                "birthday": str(lv.birthday_gift_points),
            }
            for lv in found.levels
        ]
    typed["levels"] = typed["levels"] + [dict.fromkeys(LEVEL_FIELDS, "") for _ in range(NEW_LEVELS)]
    return {"typed": typed}


LABELS = {
    "levels": N_("Levels"),
}
PAGE = FormPage("club/tiers.html", _load, "/console/club/tiers?done=1", LABELS)
PAGE.serve(router, "tier_ladder")


def _levels_typed(form: FormData) -> list[dict[str, str]]:
    columns = {name: [str(v).strip() for v in form.getlist(f"level_{name}")] for name in LEVEL_FIELDS}
    count = max((len(c) for c in columns.values()), default=0)
    return [
        {name: (columns[name][i] if i < len(columns[name]) else "") for name in LEVEL_FIELDS}
        for i in range(count)
    ]


def _level(row: dict[str, str], number: int, metric: str, unit: str) -> dict[str, Any]:
    """One level's row of the form as ``TierConfigUpdate`` takes it."""
    label_en, label_fa = f"Level {number}", f"سطح {fmt.digits(number, 'fa')}"
    threshold = (
        typed_rials(row["threshold"], unit, label_en, label_fa)
        if metric == "spend"
        else maybe_whole(row["threshold"], label_en, label_fa)
    )
    return {
        "code": row["code"],
        "name_fa": row["name_fa"],
        "name_en": row["name_en"],
        "threshold": threshold,
        "earn_multiplier_pct": maybe_whole(row["multiplier"], label_en, label_fa) or 100,
        "birthday_gift_points": maybe_whole(row["birthday"], label_en, label_fa) or 0,
    }


@router.post("", response_class=HTMLResponse)
async def save_tiers(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed: dict[str, Any] = dict(values(form, *POLICY_FIELDS))
    typed["enabled"] = text(form, "enabled") == "1"
    typed["levels"] = _levels_typed(form)

    def build() -> Step:
        levels = [
            _level(row, number, typed["metric"], user.money_unit)
            for number, row in enumerate(typed["levels"], start=1)
            if any(row.values())
        ]
        config = TierConfigUpdate.model_validate(
            {
                "enabled": typed["enabled"],
                "metric": typed["metric"],
                "window": typed["window"],
                "window_months": maybe_whole(typed["window_months"], "Months", "ماه") or 12,
                "downgrade": typed["downgrade"],
                "grace_days": maybe_whole(typed["grace_days"], "Grace days", "روزهای مهلت") or 0,
                "levels": levels,
            }
        )

        async def step(session: AsyncSession) -> None:
            await tiers.configure(session, user.tenant_id, config)
            levels = [lv.code for lv in config.levels]
            await changed(session, user, "tiers.configured", "tiers", user.tenant_id, levels=levels)

        return step

    return await PAGE.submit(request, user, build, typed)
