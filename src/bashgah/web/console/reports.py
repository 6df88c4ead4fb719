"""Report pages: RFM / LRFM segments, Pareto (top 20 %), habits, churn risk, cohorts, programme health and
lifetime value, from ``analytics.reports`` (the API's and the CLI's services), with charts where they
help and CSV / XLSX downloads written by ``analytics.export``."""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from bashgah.analytics import export
from bashgah.analytics.reports import REPORTS, Params, Report, Table
from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.jalali import parse_until
from bashgah.exports import service as exports
from bashgah.web import fmt
from bashgah.web.console import charts, common
from bashgah.web.console.common import Reader, lang_of, missing, page, percent, problems
from bashgah.web.forms import whole
from bashgah.web.guard import database
from bashgah.web.i18n import Translate, direction, translator

router = APIRouter(prefix="/console/reports", include_in_schema=False)
#: The order of the index; every name is a key of ``analytics.reports.REPORTS``.
NAMES = ("health", "rfm", "lrfm", "pareto", "churn", "cohorts", "habits", "clv")
#: Rows shown on the page per table; the download has them all.
SHOWN = 200
#: Columns for machines (the CSV keeps them), not for the page: a branch is shown by its name.
HIDDEN = {"metric_key", "group_key", "branch"}
SHARES = {"breakage", "redemption_rate", "overdue_ratio_share"}
_RIALS_LABEL = re.compile(r"\s*\((rials|ریال)\)")
#: A day written with digits (Jalali ``1404/01/15`` or ISO ``2025-04-04``) in a report's cell.
_DAY_TEXT = re.compile(r"[0-9]{4}[-/][0-9]{2}(?:[-/][0-9]{2})?")


def _is_share(key: str) -> bool:
    return "share" in key or key in SHARES or key.startswith("month_") or key == "probability_alive"


@dataclass
class Asked:
    """A report's figures as typed in the query string (all optional)."""

    window_days: str = ""
    k: str = ""
    months: str = ""
    as_of: str = ""

    def params(self) -> Params:
        """The figures as the report takes them; a figure typed wrong is refused (422)."""
        params = Params(
            window_days=whole(self.window_days, "Days", "بازه (روز)") if self.window_days else 365,
            k=float(whole(self.k, "k", "ضریب k")) if self.k else 2.0,
            months=whole(self.months, "Months", "تعداد ماه") if self.months else 12,
            # A day means the end of that Tehran day, as on the command line and in the API.
            as_of=parse_until(self.as_of) if self.as_of else None,
        )
        params.check()
        return params


class Cells:
    """How a report's values are written on the page: money in the club's unit, shares as percentages,
    numbers with the language's digits."""

    def __init__(self, lang: str, unit: str) -> None:
        self.lang, self.unit = lang, unit

    def __call__(self, key: str, value: Any, row_key: str | None = None) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "✓" if value else "—"
        key = row_key or key
        if isinstance(value, (int, float)):
            if key.endswith("_rials"):
                return fmt.money_whole(value, self.lang, self.unit)
            if _is_share(key):
                return percent(float(value), self.lang)
            if isinstance(value, float):
                return fmt.number(Decimal(str(value)), self.lang)
            return fmt.number(value, self.lang)
        if key == "mobile" and isinstance(value, str):
            return fmt.mobile(value, self.lang)
        if isinstance(value, datetime):
            return fmt.moment(value, self.lang)
        if isinstance(value, date):
            return fmt.day(value, self.lang)
        if isinstance(value, str) and _DAY_TEXT.fullmatch(value):
            return fmt.ltr(fmt.digits(value, self.lang))  # 1404/01/15, 2025-04-04: kept left to right
        return str(value)


def titles(_: Translate) -> dict[str, str]:
    """Each report's title in the page language (the index, the audit log)."""
    return {
        "health": _("Programme health"),
        "rfm": _("RFM segments"),
        "lrfm": _("LRFM segments"),
        "pareto": _("Pareto: the top 20 %"),
        "churn": _("Churn risk"),
        "cohorts": _("Cohorts"),
        "habits": _("Purchase habits"),
        "clv": _("Lifetime value"),
    }


def label(text: str) -> str:
    """A column label without its "(rials)": the page writes amounts in the club's unit."""
    return _RIALS_LABEL.sub("", text)


def _chart(report: Report, lang: str) -> tuple[str, Markup] | None:
    _ = translator(lang, "console")
    rtl = direction(lang) == "rtl"
    count = lambda n: fmt.number(n, lang)  # noqa: E731
    if report.name in ("rfm", "lrfm"):
        groups = [row for row in report.as_dicts("groups") if row["members"]]
        title = _("Members per group")
        return title, charts.rows(
            title, [g["group"] for g in groups], [g["members"] for g in groups], count, rtl
        )
    if report.name == "health":
        months = report.as_dicts("by_expiry_month")
        title = _("Outstanding points by expiry month")
        return title, charts.bars(
            title, [m["month"] for m in months], [m["points"] for m in months], count, rtl
        )
    return None


@router.get("", response_class=HTMLResponse)
async def index(request: Request, user: Reader) -> Response:
    return page(
        request,
        "reports.html",
        user,
        names=NAMES,
        titles=titles(translator(lang_of(request, user), "console")),
    )


async def _run(request: Request, user: StaffUser, name: str, params: Params, lang: str) -> Report:
    if name not in REPORTS:
        raise NotFound("report", "گزارش")
    async with database(request).transaction() as session:
        # Analysts read reports in the console (the API keeps them to owners and managers).
        return await REPORTS[name](session, user.tenant_id, lang, params)


@router.get("/{name}", response_class=HTMLResponse)
async def report(request: Request, user: Reader, name: str, asked: Annotated[Asked, Depends()]) -> Response:
    lang = lang_of(request, user)
    typed = asdict(asked)
    if name not in REPORTS:
        return missing(request, user, NotFound("report", "گزارش"))
    try:
        found = await _run(request, user, name, asked.params(), lang)
    except BashgahError as error:
        # A figure typed wrong, or e.g. lifetime value before there is enough repeat buying to fit its model.
        return page(
            request,
            "report.html",
            user,
            status=error.status,
            name=name,
            found=None,
            typed=typed,
            errors=problems(error, lang, unit=user.money_unit),
            section="reports",
        )
    tables: list[Table] = [t for t in found.tables if t.rows]
    return page(
        request,
        "report.html",
        user,
        name=name,
        found=found,
        tables=tables,
        typed=typed,
        cell=Cells(lang, user.money_unit),
        label=label,
        hidden=HIDDEN,
        shown=SHOWN,
        chart=_chart(found, lang),
        downloadable={
            kind: user.may_export or not export.holds_personal_data(found, kind) for kind in ("csv", "xlsx")
        },
        query=str(request.url.query),
        section="reports",
    )


@router.get("/{name}/download")
async def download(
    request: Request, user: Reader, name: str, asked: Annotated[Asked, Depends()], format: str = "csv"
) -> Response:
    """The whole report as the API's export writes it: CSV (the main table) or XLSX (every table)."""
    lang = lang_of(request, user)
    if format not in ("csv", "xlsx") or name not in REPORTS:
        return missing(request, user, NotFound("report", "گزارش"))
    try:
        found = await _run(request, user, name, asked.params(), lang)
    except BashgahError as error:
        return missing(request, user, error, status=error.status)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.{format}"
        rows = export.write(found, path)
        try:
            async with database(request).transaction() as session:
                if export.holds_personal_data(found, format):
                    await exports.require_export(session, user.principal)
                await exports.record(
                    session, user.principal, "reports.exported", "report", name, rows, format
                )
        except BashgahError as error:
            return missing(request, user, error, status=error.status)
        content = path.read_bytes()
    return common.download(request, content, f"{name}.{format}")
