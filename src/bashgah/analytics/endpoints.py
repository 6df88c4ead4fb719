"""``GET /api/v1/reports/{name}``: a report as JSON, CSV or XLSX (owners and managers)."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import export
from bashgah.analytics.reports import Params, Report, run_report
from bashgah.auth.service import Principal
from bashgah.core.jalali import parse_until
from bashgah.exports import service as exports
from bashgah.http.deps import ApiKeyDep, FastJSON, LangDep, run

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@router.get("/{name}", summary="A report: rfm, lrfm, pareto, habits, churn, cohorts, health, clv")
async def get_report(
    request: Request,
    name: str,
    key: ApiKeyDep,
    lang: LangDep,
    window_days: int = Query(365, ge=1, le=3650, description="Days of purchases the report looks at"),
    k: float = Query(2.0, gt=0, le=100, description="churn: overdue when days since > k × mean gap"),
    months: int = Query(12, ge=1, le=60, description="cohorts: enrolment months shown"),
    as_of: str | None = Query(
        None,
        max_length=40,
        description="The report's moment (default: now). A day — 2026-03-20 or 1404/12/29 — means the end of"
        " that day in Tehran; an ISO 8601 date and time is that moment (Tehran time without an offset).",
    ),
    store_revenue_rials: int | None = Query(
        None, gt=0, description="health: the shop's whole revenue in the window, for the members' share"
    ),
    limit: int = Query(1000, ge=1, le=100_000, description="JSON: rows per table"),
    format: Format = Format.json,
) -> Response:
    """rfm, lrfm, pareto, habits, churn, cohorts, health or clv; labels follow Accept-Language (Persian by
    default)."""

    async def work(session: AsyncSession, who: Principal) -> tuple[Report, bytes]:
        # Read after the key is checked: a caller without one learns nothing, not even about dates.
        params = Params(
            as_of=parse_until(as_of) if as_of else None,
            window_days=window_days,
            k=k,
            months=months,
            store_revenue_rials=store_revenue_rials,
        )
        report = await run_report(session, who, name, lang, params)
        if format is Format.json:
            return report, b""
        if export.holds_personal_data(report, format.value):
            await exports.require_export(session, who)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{report.name}.{format.value}"
            rows = export.write(report, path)
            await exports.record(session, who, "reports.exported", "report", report.name, rows, format.value)
            return report, path.read_bytes()

    report, content = await run(request, key, work)
    if format is Format.json:
        return FastJSON(export.as_json(report, limit))
    media = XLSX if format is Format.xlsx else "text/csv; charset=utf-8"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{report.name}.{format.value}"'},
    )
