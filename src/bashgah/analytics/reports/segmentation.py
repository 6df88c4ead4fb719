"""RFM and LRFM: recency, frequency, monetary (and length) scores and the group of every buying member.

The **population** is every member with a visit up to ``as_of``; frequency and monetary count only the
window (so a member who has not come back in the window scores 1 on both). Recency is ranked by the last
visit (latest = 5), frequency and monetary by visits and net revenue in the window, length by the days
from first to last visit. Groups come from ``labels.GROUP_MAP`` (R against FM = (F + M) / 2 rounded up),
documented there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import labels
from bashgah.analytics.reports.base import MEMBER, Column, Params, Report, Table, ratio, rials, share, text
from bashgah.analytics.reports.sql import M, P, at, epoch_days, net, score, tune, whole_days, window_start
from bashgah.core.jalali import utcnow
from bashgah.models import Member

_GROUP = [text("group", "Group", "گروه"), text("group_key", "Group key", "کلید گروه")]
_WINDOW_REVENUE = ("Net revenue in window (rials)", "خالص خرید در بازه (ریال)")
_HEAD = [
    *MEMBER,
    Column("recency_days", "Days since last purchase", "روز از آخرین خرید"),
    Column("frequency", "Purchases in window", "تعداد خرید در بازه"),
    rials("monetary_rials", *_WINDOW_REVENUE),
]
_LENGTH = [
    Column("length_days", "Days from first to last purchase", "روز از اولین تا آخرین خرید"),
    Column("l", "L", "L"),
]
_SCORES = [Column("r", "R", "R"), Column("f", "F", "F"), Column("m", "M", "M"), *_GROUP]

_GROUPS = [
    *_GROUP,
    Column("members", "Members", "تعداد اعضا"),
    share("member_share", "Share of members", "سهم از اعضا"),
    rials("revenue_rials", *_WINDOW_REVENUE),
    share("revenue_share", "Share of revenue", "سهم از فروش"),
    Column("mean_recency_days", "Mean days since last purchase", "میانگین روز از آخرین خرید"),
    Column("mean_frequency", "Mean purchases in window", "میانگین تعداد خرید"),
]


async def rfm(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Recency, frequency and monetary scores and groups of every member who has bought."""
    return await _rfm(session, tenant_id, lang, params, with_length=False)


async def lrfm(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """RFM plus length of relationship (days from first to last visit), scored 1–5 like the others."""
    return await _rfm(session, tenant_id, lang, params, with_length=True)


def _statement(session: AsyncSession, tenant_id: int, params: Params, as_of: Any, with_length: bool) -> Any:
    """Each buying member's row, its values in the order of the members table's columns but the group."""
    start = window_start(as_of, params.window_days)
    value = net()
    visit = value > 0
    in_window = and_(visit, P.occurred_at > at(start))
    aggregates = [
        func.max(P.occurred_at).label("last_at"),
        func.count(case((in_window, 1))).label("frequency"),
        func.coalesce(func.sum(case((in_window, value))), 0).label("monetary"),
    ]
    if with_length:
        aggregates.append(func.min(P.occurred_at).label("first_at"))
    per_member = (
        select(P.member_id, *aggregates)
        .where(P.tenant_id == tenant_id, P.occurred_at <= at(as_of), visit)
        .group_by(P.member_id)
        .subquery("per_member")
    )
    c = per_member.c
    last_day = epoch_days(session, c.last_at)
    columns: list[Any] = [
        c.member_id,
        whole_days(session, literal(as_of.timestamp() / 86400) - last_day).label("recency_days"),
        c.frequency,
        cast(c.monetary, BigInteger).label("monetary"),
        score(c.last_at).label("r"),
        score(c.frequency).label("f"),
        score(c.monetary).label("m"),
    ]
    if with_length:
        span = last_day - epoch_days(session, c.first_at)
        columns.append(whole_days(session, span).label("length_days"))
        columns.append(score(span).label("l"))
    scored = select(*columns).subquery("scored")
    s = scored.c
    extra = [s.length_days, s.l] if with_length else []
    return (
        select(
            s.member_id,
            func.trim(M.first_name + " " + M.last_name),
            M.mobile,
            s.recency_days,
            s.frequency,
            s.monetary,
            *extra,
            s.r,
            s.f,
            s.m,
        )
        .join(Member.__table__, M.id == s.member_id)
        .order_by(s.monetary.desc(), s.member_id)
    )


async def _rfm(
    session: AsyncSession, tenant_id: int, lang: str, params: Params, *, with_length: bool
) -> Report:
    as_of = params.as_of or utcnow()
    await tune(session)
    statement = _statement(session, tenant_id, params, as_of, with_length)
    members = Table("members", "Members", "اعضا", [*_HEAD, *(_LENGTH if with_length else []), *_SCORES])
    totals: dict[str, list[float]] = {key: [0, 0, 0.0, 0.0] for key in labels.GROUPS}
    group_of = labels.GROUP_MAP
    label_of = {key: labels.group_label(key, lang) for key in labels.GROUPS}
    rows = members.rows
    # Rows are taken as they come (a million members): no per-column reading here.
    result = await session.stream(statement.execution_options(yield_per=50_000))
    async for partition in result.partitions():
        for row in partition:
            values = list(row)
            r, f, m = values[-3:]
            group = group_of[(r, (f + m + 1) // 2)]  # labels.rfm_group, inlined: a million calls
            values.append(label_of[group])
            values.append(group)
            rows.append(values)
            total = totals[group]
            total[0] += 1
            total[1] += values[5]  # monetary
            total[2] += values[3]  # recency_days
            total[3] += values[4]  # frequency
    everyone = sum(t[0] for t in totals.values())
    revenue = sum(t[1] for t in totals.values())
    groups = Table("groups", "Groups", "گروه‌ها", _GROUPS)
    for key, (count, money, recency_sum, frequency_sum) in totals.items():
        groups.rows.append(
            [
                label_of[key],
                key,
                int(count),
                ratio(count, everyone),
                int(money),
                ratio(money, revenue),
                round(recency_sum / count, 1) if count else None,
                round(frequency_sum / count, 2) if count else None,
            ]
        )
    name = "lrfm" if with_length else "rfm"
    return Report(name, lang, as_of, {"window_days": params.window_days}, [groups, members])
