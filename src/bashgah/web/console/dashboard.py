"""The dashboard: the club at a glance (members, activity, points, liability) and twelve months of trends."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from bashgah.analytics import trends
from bashgah.analytics.reports import REPORTS, Params
from bashgah.web import fmt
from bashgah.web.console import charts
from bashgah.web.console.common import Reader, lang_of, page, problems
from bashgah.web.forms import FormProblem, typed_rials
from bashgah.web.guard import database
from bashgah.web.i18n import direction, translator

router = APIRouter(prefix="/console", include_in_schema=False)
TOP_CUSTOMERS = 5
PHONE_MONTHS = 6


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request, user: Reader, store_revenue: str = "") -> Response:
    """KPI cards, top customers and the monthly charts; ``store_revenue`` (the shop's whole revenue in the
    last 365 days, in the club's unit) gives the members' share of revenue."""
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    errors: list[str] = []
    store_rials = None
    try:
        store_rials = typed_rials(
            store_revenue, user.money_unit, "Shop revenue", "فروش کل فروشگاه", required=False
        )
        if store_rials is not None and store_rials <= 0:
            raise FormProblem("Shop revenue", "فروش کل فروشگاه", "must be above 0", "باید بیشتر از ۰ باشد")
    except FormProblem as error:
        errors, store_rials = problems(error, lang, unit=user.money_unit), None
    params = Params(store_revenue_rials=store_rials)
    async with database(request).transaction() as session:
        activity = await trends.activity(session, user.tenant_id)
        months = await trends.monthly(session, user.tenant_id, lang)
        health = await REPORTS["health"](session, user.tenant_id, lang, params)
        pareto = await REPORTS["pareto"](session, user.tenant_id, lang, params)
    figures = {row[1]: row[2] for row in health.table("summary").rows}
    top = pareto.as_dicts("members")[:TOP_CUSTOMERS]
    rtl = direction(lang) == "rtl"
    unit = user.money_unit
    count = lambda n: fmt.number(n, lang)  # noqa: E731
    money_figure = lambda rials: fmt.money_figure(rials, lang, unit)  # noqa: E731
    revenue_title = _("Net revenue from members per month (%(unit)s)", unit=fmt.unit_name(unit, lang))
    points_title = _("Points issued, redeemed and expired per month")
    members_title = _("New members per month")

    def drawn(recent: list[trends.Month], width: int) -> list[Markup]:
        shown = [m.label for m in recent]
        series = [
            charts.Series(_("Issued"), [m.points_issued for m in recent], "s1"),
            charts.Series(_("Redeemed"), [m.points_redeemed for m in recent], "s2"),
            charts.Series(_("Expired"), [m.points_expired for m in recent], "s3"),
        ]
        return [
            charts.bars(revenue_title, shown, [m.revenue_rials for m in recent], money_figure, rtl, width),
            charts.lines(points_title, shown, series, count, rtl, width),
            charts.bars(members_title, shown, [m.enrolled for m in recent], count, rtl, width),
        ]

    # Twelve months on a wide screen, the last six on a phone (the stylesheet shows one of the two).
    chart_list = list(
        zip(
            (revenue_title, points_title, members_title),
            drawn(months, charts.WIDTH),
            drawn(months[-PHONE_MONTHS:], charts.NARROW),
            strict=True,
        )
    )
    return page(
        request,
        "dashboard.html",
        user,
        activity=activity,
        figures=figures,
        top=top,
        charts=chart_list,
        store_revenue=store_revenue,
        errors=errors,
    )
