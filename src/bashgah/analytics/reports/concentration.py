"""Pareto: the share of net revenue (and of profit where item cost is known) from the top 10 % and 20 %."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics.reports.base import (
    MEMBER,
    Column,
    Kind,
    Metrics,
    Params,
    Report,
    Table,
    ratio,
    rials,
    share,
)
from bashgah.analytics.reports.sql import I, M, P, in_window, net, tune, window_start
from bashgah.core.jalali import utcnow
from bashgah.models import Member, Purchase, PurchaseItem

#: The top 20 %'s rows carry the running totals the report adds (``total``, ``running``, ``top10``,
#: ``profit_of``) alongside the database's columns.
_MEMBERS = [
    Column("rank", "Rank", "رتبه"),
    *MEMBER,
    rials("revenue_rials", "Net revenue (rials)", "خالص خرید (ریال)", lambda r: r.revenue),
    share("revenue_share", "Share of revenue", "سهم از فروش", lambda r: ratio(r.revenue, r.total)),
    share("cumulative_share", "Cumulative share", "سهم تجمعی", lambda r: ratio(r.running, r.total)),
    Column("top10", "In the top 10 %", "در ۱۰٪ برتر", Kind.flag, lambda r: r.rank <= r.top10),
    rials("profit_rials", "Profit where cost is known (rials)", "سود (ریال)", lambda r: r.profit),
]


class _Ranked:
    """A row of the top 20 % with what the table reads beyond the database's columns."""

    __slots__ = (
        "first_name",
        "last_name",
        "member_id",
        "mobile",
        "profit",
        "rank",
        "revenue",
        "running",
        "top10",
        "total",
    )

    def __init__(self, row: Any, running: int, total: int, top10: int, profit: int | None) -> None:
        self.rank, self.member_id, self.revenue = row.rank, row.member_id, int(row.revenue)
        self.first_name, self.last_name, self.mobile = row.first_name, row.last_name, row.mobile
        self.running, self.total, self.top10, self.profit = running, total, top10, profit


def _ranked(per_member: Any, value: Any, name: str, *extra: Any) -> Any:
    """Members ranked by ``value``, highest first (ties by member id), with ``n``, how many there are."""
    return select(
        per_member.c.member_id,
        value,
        func.row_number().over(order_by=(value.desc(), per_member.c.member_id)).label("rank"),
        func.count().over().label("n"),
        *extra,
    ).subquery(name)


async def pareto(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Share of net revenue (and of profit where item cost is known) from the top 10 % and 20 %.

    The top p % of n buying members are the first ``ceil(n · p / 100)`` by net revenue in the window
    (ties broken by member id). Profit is measured on items with a known ``unit_cost_rials`` and
    ranked on its own; ``cost_coverage`` says what share of item revenue had a known cost.
    """
    as_of = params.as_of or utcnow()
    await tune(session)
    window = in_window(tenant_id, window_start(as_of, params.window_days), as_of)
    revenue = func.sum(net())
    per_member = (
        select(P.member_id, cast(revenue, BigInteger).label("revenue"))
        .where(window)
        .group_by(P.member_id)
        .having(revenue > 0)
        .subquery("per_member")
    )
    total_over = cast(func.sum(per_member.c.revenue).over(), BigInteger).label("total")
    ranked = _ranked(per_member, per_member.c.revenue, "ranked", total_over)
    r = ranked.c
    # rank ≤ ceil(n · 20 / 100), in integers: rank · 100 ≤ n · 20 + 99.
    top = (
        select(ranked, M.first_name, M.last_name, M.mobile)
        .join(Member.__table__, M.id == r.member_id)
        .where(r.rank * 100 <= r.n * 20 + 99)
        .order_by(r.rank)
    )
    rows = (await session.execute(top)).all()
    n = rows[0].n if rows else 0
    total = int(rows[0].total) if rows else 0
    top10, top20 = math.ceil(n * 10 / 100), math.ceil(n * 20 / 100)
    revenue10 = sum(int(row.revenue) for row in rows[:top10])
    revenue20 = sum(int(row.revenue) for row in rows[:top20])

    item_net = (I.quantity - I.refunded_quantity) * I.unit_price_rials
    item_profit = (I.quantity - I.refunded_quantity) * (I.unit_price_rials - I.unit_cost_rials)
    costed = I.unit_cost_rials.is_not(None)
    profit_rows = (
        select(P.member_id, func.sum(item_profit).label("profit"))
        .join(PurchaseItem.__table__, I.purchase_id == P.id)
        .where(window, costed)
        .group_by(P.member_id)
        .subquery("profit_rows")
    )
    profit_ranked = _ranked(profit_rows, profit_rows.c.profit, "profit_ranked")
    pr = profit_ranked.c
    profit_summary = select(
        func.max(pr.n),
        func.sum(pr.profit),
        func.sum(case((pr.rank * 100 <= pr.n * 10 + 99, pr.profit), else_=0)),
        func.sum(case((pr.rank * 100 <= pr.n * 20 + 99, pr.profit), else_=0)),
    )
    profit_n, profit_total, profit10, profit20 = (await session.execute(profit_summary)).one()
    coverage = (
        await session.execute(
            select(func.sum(case((costed, item_net), else_=0)), func.sum(item_net))
            .select_from(PurchaseItem.__table__)
            .join(Purchase.__table__, I.purchase_id == P.id)
            .where(window)
        )
    ).one()
    profit_of: dict[int, int] = {}
    if rows and profit_n:
        ids = [row.member_id for row in rows]
        for start_at in range(0, len(ids), 10_000):
            chunk = ids[start_at : start_at + 10_000]
            found = await session.execute(
                select(profit_rows.c.member_id, profit_rows.c.profit).where(
                    profit_rows.c.member_id.in_(chunk)
                )
            )
            profit_of.update({member_id: int(profit) for member_id, profit in found})

    summary = Metrics("Summary", "خلاصه", lang)
    summary.add("buying_members", "Members who bought", "اعضای خریدار", n)
    summary.add("revenue_rials", "Net revenue (rials)", "خالص فروش (ریال)", total)
    summary.add("top10_members", "Members in the top 10 %", "اعضای ۱۰٪ برتر", top10)
    summary.add(
        "top10_revenue_share", "Top 10 % share of revenue", "سهم ۱۰٪ برتر از فروش", ratio(revenue10, total)
    )
    summary.add("top20_members", "Members in the top 20 %", "اعضای ۲۰٪ برتر", top20)
    summary.add(
        "top20_revenue_share", "Top 20 % share of revenue", "سهم ۲۰٪ برتر از فروش", ratio(revenue20, total)
    )
    costed_revenue, item_revenue = (int(v or 0) for v in coverage)
    summary.add(
        "cost_coverage",
        "Share of item revenue with a known cost",
        "سهم فروش اقلام با بهای تمام‌شده",
        ratio(costed_revenue, item_revenue),
    )
    if profit_n:
        profit = int(profit_total)
        summary.add(
            "profit_rials", "Profit where cost is known (rials)", "سود اقلام با بهای معلوم (ریال)", profit
        )
        summary.add(
            "top10_profit_share",
            "Top 10 % share of profit",
            "سهم ۱۰٪ برتر از سود",
            ratio(int(profit10), profit),
        )
        summary.add(
            "top20_profit_share",
            "Top 20 % share of profit",
            "سهم ۲۰٪ برتر از سود",
            ratio(int(profit20), profit),
        )

    running = 0
    ranked_rows = []
    for row in rows:
        running += int(row.revenue)
        ranked_rows.append(_Ranked(row, running, total, top10, profit_of.get(row.member_id)))
    members = Table("members", "Top 20 % of members", "۲۰٪ اعضای برتر", _MEMBERS).fill(ranked_rows)
    return Report("pareto", lang, as_of, {"window_days": params.window_days}, [summary, members])
