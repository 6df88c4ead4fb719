"""The programme's settings: how points are earned, worth, held and expire, refunds, reservations, and how
the club's pages show money."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import InvalidInput
from bashgah.tenants import service as tenants
from bashgah.tenants.schemas import ProgrammeUpdate
from bashgah.web import fmt
from bashgah.web.console.common import N_, FormPage, Sent, Step, Writer, changed
from bashgah.web.forms import maybe_whole, typed_rials

router = APIRouter(prefix="/console/club/settings", include_in_schema=False)

SETTINGS = (
    "earn_points",
    "earn_per",
    "rounding",
    "point_value",
    "pending_days",
    "expiry_mode",
    "expiry_months",
    "refund_policy",
    "reservation_minutes",
    "money_display",
    "analysts_may_export",
)


async def _load(session: AsyncSession, user: StaffUser, lang: str) -> dict[str, Any]:
    program = await tenants.get_program(session, user.tenant_id)
    tenant = await tenants.get_tenant(session, user.tenant_id)
    unit = user.money_unit
    typed = {
        "earn_points": str(program.earn_points),
        "earn_per": fmt.rials_as_typed(program.earn_per_rials, unit),
        "rounding": program.rounding,
        "point_value": fmt.rials_as_typed(program.point_value_rials, unit),
        "pending_days": str(program.pending_days),
        "expiry_mode": program.expiry_mode,
        "expiry_months": str(program.expiry_months),
        "refund_policy": program.refund_policy,
        "reservation_minutes": str(program.reservation_minutes),
        "money_display": tenant.money_display if tenant else "toman",
        "analysts_may_export": "1" if tenant and tenant.analysts_may_export else "",
    }
    return {"typed": typed}


LABELS = {
    "earn_points": N_("Points earned"),
    "earn_per_rials": N_("For every"),
    "point_value_rials": N_("Point value"),
    "pending_days": N_("Days before points can be used"),
    "expiry_months": N_("Months before points expire"),
    "reservation_minutes": N_("Minutes a reservation is held"),
}
PAGE = FormPage("club/settings.html", _load, "/console/club/settings?done=1", LABELS)
PAGE.serve(router, "settings")


@router.post("", response_class=HTMLResponse)
async def save_settings(request: Request, user: Writer) -> Response:
    unit = user.money_unit

    def build(sent: Sent) -> Step:
        typed = sent.typed
        data = ProgrammeUpdate.model_validate(
            {
                "earn_points": maybe_whole(typed["earn_points"], "Points earned", "امتیاز کسب‌شده"),
                "earn_per_rials": typed_rials(typed["earn_per"], unit, "For every", "به ازای هر"),
                "rounding": typed["rounding"] or None,
                "point_value_rials": typed_rials(typed["point_value"], unit, "Point value", "ارزش هر امتیاز"),
                "pending_days": maybe_whole(
                    typed["pending_days"], "Days before use", "روز تا قابل استفاده شدن"
                ),
                "expiry_mode": typed["expiry_mode"] or None,
                "expiry_months": maybe_whole(typed["expiry_months"], "Months", "ماه"),
                "refund_policy": typed["refund_policy"] or None,
                "reservation_minutes": maybe_whole(typed["reservation_minutes"], "Minutes", "دقیقه"),
            }
        )
        display = typed["money_display"]
        if display not in fmt.UNITS:
            raise InvalidInput(
                "money_display", "toman, rial or new rial", "تومان، ریال یا ریال جدید", "واحد نمایش مبلغ"
            )
        analysts_may_export = typed["analysts_may_export"] == "1"

        async def step(session: AsyncSession) -> None:
            await tenants.update_program(session, user.tenant_id, data)
            await tenants.set_display(session, user.tenant_id, display, analysts_may_export)
            await changed(
                session,
                user,
                "programme.settings_changed",
                "programme",
                user.tenant_id,
                **data.model_dump(exclude_none=True),
                money_display=display,
                analysts_may_export=analysts_may_export,
            )

        return step

    return await PAGE.save(request, user, SETTINGS, build)
