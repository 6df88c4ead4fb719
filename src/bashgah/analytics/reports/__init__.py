"""The reports a manager reads: RFM / LRFM, Pareto, habits, churn risk, cohorts, programme health, CLV.

Every report is one service function ``(session, tenant_id, lang, params) -> Report`` that the API, the
CLI, the console and the exports call, in a module of its own; each declares its tables' columns
(``base.Column``: key, labels, kind, how the value is read), and ``analytics.export`` writes any report
as CSV, XLSX or JSON. The counting, summing, ranking and scoring happen in the database (SQLAlchemy
Core, the same SQL on PostgreSQL and SQLite; window functions on both, helpers in ``sql``); Python only
labels the rows. The shared definitions (net revenue, a visit, scores 1–5) are in ``sql``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics.reports.base import Column, Kind, Metrics, Params, Report, Table
from bashgah.analytics.reports.concentration import pareto
from bashgah.analytics.reports.habits import churn, habits
from bashgah.analytics.reports.lifetime_value import clv
from bashgah.analytics.reports.programme_health import health
from bashgah.analytics.reports.retention import cohorts
from bashgah.analytics.reports.segmentation import lrfm, rfm
from bashgah.analytics.reports.sql import REPORT_WORK_MEM
from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import NotFound

__all__ = [
    "READERS",
    "REPORTS",
    "REPORT_WORK_MEM",
    "Column",
    "Kind",
    "Metrics",
    "Params",
    "Report",
    "ReportFn",
    "Table",
    "churn",
    "clv",
    "cohorts",
    "habits",
    "health",
    "lrfm",
    "pareto",
    "rfm",
    "run_report",
]

#: Who may read reports: they list members with their phone numbers and the shop's figures, so the
#: people who run the club — not a till (cashier) and not a connected system (integration).
READERS = MANAGERS

ReportFn = Callable[[AsyncSession, int, str, Params], Awaitable[Report]]

REPORTS: dict[str, ReportFn] = {
    "rfm": rfm,
    "lrfm": lrfm,
    "pareto": pareto,
    "habits": habits,
    "churn": churn,
    "cohorts": cohorts,
    "health": health,
    "clv": clv,
}


async def run_report(session: AsyncSession, who: Principal, name: str, lang: str, params: Params) -> Report:
    """The report ``name`` of the caller's tenant, for owners and managers."""
    who.require(*READERS)
    fn = REPORTS.get(name)
    if fn is None:
        raise NotFound("report", "گزارش")
    params.check()
    return await fn(session, who.tenant_id, lang, params)
