"""Customer lifetime value: the BG/NBD and Gamma-Gamma models of ``analytics.clv`` on this club's visits."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics.reports.base import Column, Kind, Params, Report, Table, rials, share, text
from bashgah.analytics.reports.sql import M, P, at, is_postgres, net, tehran_parts, tune
from bashgah.core.jalali import TEHRAN, utcnow
from bashgah.models import Member

#: Rows are the models' scores (``member_id`` there is the position in the rows read) joined to the
#: member's id, name and mobile by :func:`clv`.
_MEMBERS = [
    Column("member_id", "Member", "عضو", get=lambda r: r["id"]),
    text("name", "Name", "نام", lambda r: r["name"]),
    Column("mobile", "Mobile", "موبایل", Kind.mobile, lambda r: r["mobile"]),
    Column("repeat_purchases", "Repeat purchase days", "روزهای خرید تکراری", get=lambda r: r["frequency"]),
    Column(
        "expected_purchases_90d",
        "Expected purchases, 90 days",
        "خرید مورد انتظار ۹۰ روز",
        get=lambda r: round(r["expected_purchases_90d"], 3),
    ),
    Column(
        "expected_purchases_365d",
        "Expected purchases, 365 days",
        "خرید مورد انتظار ۳۶۵ روز",
        get=lambda r: round(r["expected_purchases_365d"], 3),
    ),
    share(
        "probability_alive",
        "Probability still active",
        "احتمال فعال بودن",
        lambda r: round(r["probability_alive"], 4),
    ),
    rials(
        "expected_value_365d_rials",
        "Expected value, 365 days (rials)",
        "ارزش مورد انتظار ۳۶۵ روز (ریال)",
        lambda r: r["expected_value_365d_rials"],
    ),
]


def _summary_statement(session: AsyncSession, tenant_id: int, as_of: Any, day_number: Any) -> Any:
    """Per member: purchase days, first and last day, total and the first day's amount, with the name."""
    value = net()
    # Per member and day, then per member, the first day's amount picked out by a window over the
    # member's days: PostgreSQL sorts once (in parallel) and aggregates in order, where a per-day CTE
    # joined back to the per-member rows for that amount took twice as long at a million members.
    per_day = (
        select(P.member_id, day_number.label("day"), func.sum(value).label("amount"))
        .where(P.tenant_id == tenant_id, P.occurred_at <= at(as_of), value > 0)
        .group_by(P.member_id, day_number)
        .subquery("per_day")
    )
    d = per_day.c
    days_of = select(
        d.member_id, d.day, d.amount, func.min(d.day).over(partition_by=d.member_id).label("first_day")
    ).subquery("days_of")
    w = days_of.c
    per_member = (
        select(
            w.member_id,
            func.count().label("days"),
            func.min(w.day).label("first_day"),
            func.max(w.day).label("last_day"),
            func.sum(w.amount).label("total"),
            func.sum(case((w.day == w.first_day, w.amount), else_=0)).label("first_amount"),
        )
        .group_by(w.member_id)
        .subquery("per_member")
    )
    pm = per_member.c
    return select(
        pm.member_id,
        func.trim(func.coalesce(M.first_name, "") + " " + func.coalesce(M.last_name, "")),
        M.mobile,
        pm.days,
        pm.first_day,
        pm.last_day,
        cast(pm.total, BigInteger),
        cast(pm.first_amount, BigInteger),
    ).join(Member.__table__, M.id == pm.member_id)


async def clv(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Expected purchases in the next 90 and 365 days, probability still active and expected value.

    The BG/NBD and Gamma-Gamma models of ``analytics.clv``, fitted on this tenant's visits up to
    ``as_of``. A day with purchases is one purchase, as in the models' papers, worth the day's net
    revenue. The database sums each member's net revenue per Tehran day and reduces those days to the
    models' summary (purchase days, first and last day, total, first day's amount) with the member's
    name, so a million members are a million rows, not one per purchase day; the fit runs in a worker
    thread.
    """
    import numpy as np  # here: with scipy (below), only this report needs them

    from bashgah.analytics.clv import CustomerSummary, fit_models, score

    as_of = params.as_of or utcnow()
    await tune(session)
    epoch = date(1970, 1, 1)
    # The Tehran calendar day of each purchase as days since 1970-01-01.
    if is_postgres(session):
        local_day = func.date(func.timezone("Asia/Tehran", P.occurred_at))
        day_number: ColumnElement[Any] = cast(local_day - literal(epoch), Integer)
    else:
        await tehran_parts(session)  # registers tehran_local()
        local_day = func.date(func.tehran_local(P.occurred_at))
        day_number = cast(func.julianday(local_day) - 2440587.5, Integer)
    rows = (await session.execute(_summary_statement(session, tenant_id, as_of, day_number))).all()
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(8)]
    ids, names, mobiles, days, first, last, total, first_amount = columns
    del rows
    end_day = (as_of.astimezone(TEHRAN).date() - epoch).days

    def fit_and_score() -> list[dict[str, Any]]:
        # The same summary as ``clv.summarise_days`` makes from the purchase days.
        visits = np.asarray(days, dtype=np.float64)
        first_day = np.asarray(first, dtype=np.float64)
        frequency = visits - 1.0
        repeat_spend = np.asarray(total, dtype=np.float64) - np.asarray(first_amount, dtype=np.float64)
        summary = CustomerSummary(
            customer_ids=list(range(len(ids))),
            frequency=frequency,
            recency=np.asarray(last, dtype=np.float64) - first_day,
            T=end_day - first_day,
            monetary_value=np.divide(
                repeat_spend, frequency, out=np.zeros_like(repeat_spend), where=frequency > 0
            ),
            period_days=1.0,
        )
        return score(fit_models(summary), summary)

    scored = await asyncio.to_thread(fit_and_score)
    scored.sort(key=lambda r: (-r["expected_value_365d_rials"], ids[r["member_id"]]))
    for r in scored:
        i = r["member_id"]  # the position in the rows read above
        r["id"], r["name"], r["mobile"] = ids[i], names[i], mobiles[i]
    members = Table("members", "Customer lifetime value", "ارزش طول عمر مشتری", _MEMBERS).fill(scored)
    return Report("clv", lang, as_of, {}, [members])
