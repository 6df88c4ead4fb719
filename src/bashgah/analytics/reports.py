"""The reports a manager reads: RFM / LRFM, Pareto, habits, churn risk, cohorts, programme health.

Every report is one service function ``(session, tenant_id, lang, params) -> Report`` that the API, the
CLI and the exports call. The counting, summing, ranking and scoring happen in the database (SQLAlchemy
Core, the same SQL on PostgreSQL and SQLite; window functions on both); Python only labels the rows.

Definitions (the same everywhere):

* **Net revenue** of a purchase = ``total_rials − refunded_rials`` (what the basket was worth, after
  returns; a points discount is the programme's cost, counted under programme health).
* A **visit** is a purchase whose net revenue is above zero (a fully returned basket is not one).
* **Scores 1–5** are quintiles of the members' rank: ``1 + 5·(rank − 1) // n`` with SQL ``RANK()``, so
  equal values share a score (the lower one) and 5 is always the best: recency is ranked by the last
  visit (latest = 5), frequency and monetary by visits and net revenue in the window, length by the
  days from first to last visit.
* The **population** of RFM and LRFM is every member with a visit up to ``as_of``; frequency and
  monetary count only the window (so a member who has not come back in the window scores 1 on both).
* Groups come from ``labels.GROUP_MAP`` (R against FM = (F + M) / 2 rounded up), documented there.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import labels
from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import InvalidInput, NotFound
from bashgah.core.jalali import TEHRAN, utcnow
from bashgah.core.types import UTCDateTime
from bashgah.models import (
    Account,
    Branch,
    Campaign,
    CampaignAward,
    Member,
    PointLot,
    Program,
    Purchase,
    PurchaseItem,
    Transfer,
)

#: Who may read reports: they list members with their phone numbers and the shop's figures, so the
#: people who run the club — not a till (cashier) and not a connected system (integration).
READERS = MANAGERS
#: PostgreSQL's memory per sort or hash within a report's transaction (``SET LOCAL``).
REPORT_WORK_MEM = "256MB"

P = Purchase.__table__.c
M = Member.__table__.c
I = PurchaseItem.__table__.c  # noqa: E741


@dataclass(frozen=True)
class Field:
    key: str
    en: str
    fa: str

    def label(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


@dataclass
class Table:
    """One table of a report: its columns and rows (values in the order of the columns)."""

    name: str
    en: str
    fa: str
    fields: list[Field]
    rows: list[list[Any]] = field(default_factory=list)

    def title(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


@dataclass
class Report:
    name: str
    lang: str
    as_of: datetime
    params: dict[str, Any]
    tables: list[Table]

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def as_dicts(self, name: str) -> list[dict[str, Any]]:
        table = self.table(name)
        return [dict(zip((f.key for f in table.fields), row, strict=True)) for row in table.rows]


@dataclass(frozen=True)
class Params:
    """What a report may be asked for; each report reads the ones it needs."""

    as_of: datetime | None = None
    window_days: int = 365
    #: Churn risk: overdue when days since the last visit > k × the member's mean gap.
    k: float = 2.0
    #: Cohorts: how many enrolment months.
    months: int = 12
    #: Programme health: the shop's whole revenue in the window (members and walk-ins), from its books,
    #: to give the members' share; purchases are only recorded for members.
    store_revenue_rials: int | None = None

    def check(self) -> None:
        if not 1 <= self.window_days <= 3650:
            raise InvalidInput("window_days", "between 1 and 3650", "بین ۱ و ۳۶۵۰", "بازه (روز)")
        if not 0 < self.k <= 100:
            raise InvalidInput("k", "above 0 and at most 100", "بیشتر از ۰ و حداکثر ۱۰۰", "ضریب k")
        if not 1 <= self.months <= 60:
            raise InvalidInput("months", "between 1 and 60", "بین ۱ و ۶۰", "تعداد ماه")
        if self.store_revenue_rials is not None and self.store_revenue_rials <= 0:
            raise InvalidInput("store_revenue_rials", "above 0", "بیشتر از ۰", "فروش کل فروشگاه (ریال)")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise InvalidInput(
                "as_of", "a moment with its time zone", "زمان همراه با منطقه زمانی", "تا تاریخ"
            )


# --- SQL helpers, one expression per dialect where they differ ---------------------------------------


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _at(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, UTCDateTime)


def _epoch_days(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    """Days since 1970-01-01 UTC as a real number."""
    if _is_postgres(session):
        return func.extract("epoch", column) / 86400.0
    return func.julianday(column) - 2440587.5


def _metrics(title_en: str, title_fa: str, lang: str) -> tuple[Table, Callable[[str, str, str, Any], None]]:
    """A metric / key / value table, and the function that adds one labelled line to it."""
    table = Table(
        "summary",
        title_en,
        title_fa,
        [F("metric", "Metric", "شاخص"), F("metric_key", "Key", "کلید"), F("value", "Value", "مقدار")],
    )

    def add(key: str, en: str, fa: str, value: Any) -> None:
        table.rows.append([fa if lang == "fa" else en, key, value])

    return table, add


async def _tehran_parts(session: AsyncSession) -> tuple[Any, Any]:
    """SQL for the Tehran-time weekday (0 = Sunday) and hour of ``purchases.occurred_at``.

    PostgreSQL knows the zone. SQLite does not, and Iran's offset changed over the years (summer time
    until 2022), so a deterministic Python function does the conversion there.
    """
    if _is_postgres(session):
        local = func.timezone("Asia/Tehran", P.occurred_at)
        return cast(func.extract("dow", local), Integer), cast(func.extract("hour", local), Integer)
    connection = await session.connection()

    def register(sync_connection: Any) -> None:
        sync_connection.connection.dbapi_connection.create_function(
            "tehran_local", 1, _sqlite_tehran_local, deterministic=True
        )

    await connection.run_sync(register)
    local = func.tehran_local(P.occurred_at)
    return cast(func.strftime("%w", local), Integer), cast(func.strftime("%H", local), Integer)


def _sqlite_tehran_local(stored: str | None) -> str | None:
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(TEHRAN)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


async def _tune(session: AsyncSession) -> None:
    """Give this transaction's aggregations and sorts memory: with PostgreSQL's default (4 MB) a report
    over a million members spills its hash aggregates and window sorts to disk."""
    if _is_postgres(session):
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def _whole_days(session: AsyncSession, days: Any) -> ColumnElement[Any]:
    """Whole days (rounded down) of a non-negative number of days."""
    if _is_postgres(session):
        return cast(func.floor(days), Integer)
    return cast(days, Integer)  # SQLite truncates, which is the floor of a non-negative number


def _net() -> ColumnElement[int]:
    return P.total_rials - P.refunded_rials


def _score(order: Any) -> ColumnElement[Any]:
    """Quintile 1–5 of the rank: equal values share the lower score."""
    # ``//``: integer division on both databases (``/`` would be true division).
    return (5 * (func.rank().over(order_by=order) - 1)) // func.count().over() + 1


def _name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def _days(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400


F = Field
_MEMBER = [F("member_id", "Member", "عضو"), F("name", "Name", "نام"), F("mobile", "Mobile", "موبایل")]


# --- RFM and LRFM ----------------------------------------------------------------------------------


async def rfm(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Recency, frequency and monetary scores and groups of every member who has bought."""
    return await _rfm(session, tenant_id, lang, params, with_length=False)


async def lrfm(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """RFM plus length of relationship (days from first to last visit), scored 1–5 like the others."""
    return await _rfm(session, tenant_id, lang, params, with_length=True)


async def _rfm(
    session: AsyncSession, tenant_id: int, lang: str, params: Params, *, with_length: bool
) -> Report:
    as_of = params.as_of or utcnow()
    await _tune(session)
    start = as_of - timedelta(days=params.window_days)
    net = _net()
    visit = net > 0
    in_window = and_(visit, P.occurred_at > _at(start))
    aggregates = [
        func.max(P.occurred_at).label("last_at"),
        func.count(case((in_window, 1))).label("frequency"),
        func.coalesce(func.sum(case((in_window, net))), 0).label("monetary"),
    ]
    if with_length:
        aggregates.append(func.min(P.occurred_at).label("first_at"))
    per_member = (
        select(P.member_id, *aggregates)
        .where(P.tenant_id == tenant_id, P.occurred_at <= _at(as_of), visit)
        .group_by(P.member_id)
        .subquery("per_member")
    )
    c = per_member.c
    last_day = _epoch_days(session, c.last_at)
    columns: list[Any] = [
        c.member_id,
        _whole_days(session, literal(as_of.timestamp() / 86400) - last_day).label("recency_days"),
        c.frequency,
        cast(c.monetary, BigInteger).label("monetary"),
        _score(c.last_at).label("r"),
        _score(c.frequency).label("f"),
        _score(c.monetary).label("m"),
    ]
    if with_length:
        span = last_day - _epoch_days(session, c.first_at)
        columns.append(_whole_days(session, span).label("length_days"))
        columns.append(_score(span).label("l"))
    scored = select(*columns).subquery("scored")
    s = scored.c
    # Columns in the order of the table's fields, so each row is taken as it comes.
    extra = [s.length_days, s.l] if with_length else []
    statement = (
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
    fields = [
        *_MEMBER,
        F("recency_days", "Days since last purchase", "روز از آخرین خرید"),
        F("frequency", "Purchases in window", "تعداد خرید در بازه"),
        F("monetary_rials", "Net revenue in window (rials)", "خالص خرید در بازه (ریال)"),
    ]
    if with_length:
        fields.append(F("length_days", "Days from first to last purchase", "روز از اولین تا آخرین خرید"))
        fields.append(F("l", "L", "L"))
    fields += [
        F("r", "R", "R"),
        F("f", "F", "F"),
        F("m", "M", "M"),
        F("group", "Group", "گروه"),
        F("group_key", "Group key", "کلید گروه"),
    ]
    members = Table("members", "Members", "اعضا", fields)
    totals: dict[str, list[float]] = {key: [0, 0, 0.0, 0.0] for key in labels.GROUPS}
    group_of = labels.GROUP_MAP
    label_of = {key: labels.group_label(key, lang) for key in labels.GROUPS}
    rows = members.rows
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
    groups = Table(
        "groups",
        "Groups",
        "گروه‌ها",
        [
            F("group", "Group", "گروه"),
            F("group_key", "Group key", "کلید گروه"),
            F("members", "Members", "تعداد اعضا"),
            F("member_share", "Share of members", "سهم از اعضا"),
            F("revenue_rials", "Net revenue in window (rials)", "خالص خرید در بازه (ریال)"),
            F("revenue_share", "Share of revenue", "سهم از فروش"),
            F("mean_recency_days", "Mean days since last purchase", "میانگین روز از آخرین خرید"),
            F("mean_frequency", "Mean purchases in window", "میانگین تعداد خرید"),
        ],
    )
    for key, (count, money, recency_sum, frequency_sum) in totals.items():
        groups.rows.append(
            [
                labels.group_label(key, lang),
                key,
                int(count),
                _share(count, everyone),
                int(money),
                _share(money, revenue),
                round(recency_sum / count, 1) if count else None,
                round(frequency_sum / count, 2) if count else None,
            ]
        )
    name = "lrfm" if with_length else "rfm"
    return Report(name, lang, as_of, {"window_days": params.window_days}, [groups, members])


# --- Pareto ----------------------------------------------------------------------------------------


async def pareto(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Share of net revenue (and of profit where item cost is known) from the top 10 % and 20 %.

    The top p % of n buying members are the first ``ceil(n · p / 100)`` by net revenue in the window
    (ties broken by member id). Profit is measured on items with a known ``unit_cost_rials`` and
    ranked on its own; ``cost_coverage`` says what share of item revenue had a known cost.
    """
    as_of = params.as_of or utcnow()
    await _tune(session)
    start = as_of - timedelta(days=params.window_days)
    window = and_(P.tenant_id == tenant_id, P.occurred_at > _at(start), P.occurred_at <= _at(as_of))
    revenue = func.sum(_net())
    per_member = (
        select(P.member_id, cast(revenue, BigInteger).label("revenue"))
        .where(window)
        .group_by(P.member_id)
        .having(revenue > 0)
        .subquery("per_member")
    )
    ranked = select(
        per_member.c.member_id,
        per_member.c.revenue,
        func.row_number().over(order_by=(per_member.c.revenue.desc(), per_member.c.member_id)).label("rank"),
        func.count().over().label("n"),
        cast(func.sum(per_member.c.revenue).over(), BigInteger).label("total"),
    ).subquery("ranked")
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
    profit_ranked = select(
        profit_rows.c.member_id,
        profit_rows.c.profit,
        func.row_number().over(order_by=(profit_rows.c.profit.desc(), profit_rows.c.member_id)).label("rank"),
        func.count().over().label("n"),
    ).subquery("profit_ranked")
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

    summary, add = _metrics("Summary", "خلاصه", lang)

    add("buying_members", "Members who bought", "اعضای خریدار", n)
    add("revenue_rials", "Net revenue (rials)", "خالص فروش (ریال)", total)
    add("top10_members", "Members in the top 10 %", "اعضای ۱۰٪ برتر", top10)
    add("top10_revenue_share", "Top 10 % share of revenue", "سهم ۱۰٪ برتر از فروش", _share(revenue10, total))
    add("top20_members", "Members in the top 20 %", "اعضای ۲۰٪ برتر", top20)
    add("top20_revenue_share", "Top 20 % share of revenue", "سهم ۲۰٪ برتر از فروش", _share(revenue20, total))
    costed_revenue, item_revenue = (int(v or 0) for v in coverage)
    add(
        "cost_coverage",
        "Share of item revenue with a known cost",
        "سهم فروش اقلام با بهای تمام‌شده",
        _share(costed_revenue, item_revenue),
    )
    if profit_n:
        add(
            "profit_rials",
            "Profit where cost is known (rials)",
            "سود اقلام با بهای معلوم (ریال)",
            int(profit_total),
        )
        add(
            "top10_profit_share",
            "Top 10 % share of profit",
            "سهم ۱۰٪ برتر از سود",
            _share(int(profit10), int(profit_total)),
        )
        add(
            "top20_profit_share",
            "Top 20 % share of profit",
            "سهم ۲۰٪ برتر از سود",
            _share(int(profit20), int(profit_total)),
        )

    members = Table(
        "members",
        "Top 20 % of members",
        "۲۰٪ اعضای برتر",
        [
            F("rank", "Rank", "رتبه"),
            *_MEMBER,
            F("revenue_rials", "Net revenue (rials)", "خالص خرید (ریال)"),
            F("revenue_share", "Share of revenue", "سهم از فروش"),
            F("cumulative_share", "Cumulative share", "سهم تجمعی"),
            F("top10", "In the top 10 %", "در ۱۰٪ برتر"),
            F("profit_rials", "Profit where cost is known (rials)", "سود (ریال)"),
        ],
    )
    running = 0
    for row in rows:
        running += int(row.revenue)
        members.rows.append(
            [
                row.rank,
                row.member_id,
                _name(row.first_name, row.last_name),
                row.mobile,
                int(row.revenue),
                _share(int(row.revenue), total),
                _share(running, total),
                row.rank <= top10,
                profit_of.get(row.member_id),
            ]
        )
    return Report("pareto", lang, as_of, {"window_days": params.window_days}, [summary, members])


# --- Habits and churn risk -------------------------------------------------------------------------


async def _mode(session: AsyncSession, part: Any, where: Any) -> dict[int, int]:
    """Each member's most frequent value of ``part`` (the smallest on a tie)."""
    counted = (
        select(P.member_id, part.label("value"), func.count().label("n"))
        .where(where)
        .group_by(P.member_id, part)
        .subquery("counted")
    )
    c = counted.c
    ranked = select(
        c.member_id,
        c.value,
        func.row_number().over(partition_by=c.member_id, order_by=(c.n.desc(), c.value)).label("rn"),
    ).subquery("ranked")
    found = await session.execute(select(ranked.c.member_id, ranked.c.value).where(ranked.c.rn == 1))
    return {member_id: int(value) for member_id, value in found}


async def habits(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Per member in the window: favourite categories, usual weekday and hour (Tehran), average basket,
    mean days between purchases."""
    as_of = params.as_of or utcnow()
    await _tune(session)
    start = as_of - timedelta(days=params.window_days)
    net = _net()
    where = and_(P.tenant_id == tenant_id, P.occurred_at > _at(start), P.occurred_at <= _at(as_of), net > 0)
    weekday, hour = await _tehran_parts(session)
    usual_day = await _mode(session, weekday, where)
    usual_hour = await _mode(session, hour, where)

    quantity = func.sum(I.quantity - I.refunded_quantity)
    per_category = (
        select(P.member_id, I.category, quantity.label("quantity"))
        .join(PurchaseItem.__table__, I.purchase_id == P.id)
        .where(where, I.category.is_not(None))
        .group_by(P.member_id, I.category)
        .having(quantity > 0)
        .subquery("per_category")
    )
    pc = per_category.c
    ranked = select(
        pc.member_id,
        pc.category,
        func.row_number()
        .over(partition_by=pc.member_id, order_by=(pc.quantity.desc(), pc.category))
        .label("rn"),
    ).subquery("ranked_categories")
    favourites: dict[int, list[str]] = {}
    for member_id, category in await session.execute(
        select(ranked.c.member_id, ranked.c.category)
        .where(ranked.c.rn <= 3)
        .order_by(ranked.c.member_id, ranked.c.rn)
    ):
        favourites.setdefault(member_id, []).append(category)

    per_member = (
        select(
            P.member_id,
            func.count().label("visits"),
            func.sum(net).label("revenue"),
            func.min(P.occurred_at).label("first_at"),
            func.max(P.occurred_at).label("last_at"),
        )
        .where(where)
        .group_by(P.member_id)
        .subquery("per_member")
    )
    pm = per_member.c
    statement = (
        select(per_member, M.first_name, M.last_name, M.mobile)
        .join(Member.__table__, M.id == pm.member_id)
        .order_by(pm.member_id)
    )
    members = Table(
        "members",
        "Purchase habits",
        "عادت‌های خرید",
        [
            *_MEMBER,
            F("purchases", "Purchases", "تعداد خرید"),
            F("average_basket_rials", "Average basket (rials)", "میانگین سبد (ریال)"),
            F("mean_gap_days", "Mean days between purchases", "میانگین فاصله خریدها (روز)"),
            F("usual_weekday", "Usual weekday", "روز معمول"),
            F("usual_hour", "Usual hour", "ساعت معمول"),
            F("favourite_categories", "Favourite categories", "دسته‌های محبوب"),
        ],
    )
    for row in await session.execute(statement):
        gap = _days(row.last_at, row.first_at) / (row.visits - 1) if row.visits > 1 else None
        day = usual_day.get(row.member_id)
        members.rows.append(
            [
                row.member_id,
                _name(row.first_name, row.last_name),
                row.mobile,
                row.visits,
                round(int(row.revenue) / row.visits),
                round(gap, 1) if gap is not None else None,
                labels.weekday_label(day, lang) if day is not None else None,
                usual_hour.get(row.member_id),
                ("، " if lang == "fa" else ", ").join(favourites.get(row.member_id, [])),
            ]
        )
    return Report("habits", lang, as_of, {"window_days": params.window_days}, [members])


async def churn(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Members overdue against their own rhythm: days since the last visit > k × their mean gap.

    Over all visits up to ``as_of``; a member needs two visits at different moments to have a rhythm.
    """
    as_of = params.as_of or utcnow()
    await _tune(session)
    net = _net()
    first_at, last_at = func.min(P.occurred_at), func.max(P.occurred_at)
    visits = func.count()
    first_day, last_day = _epoch_days(session, first_at), _epoch_days(session, last_at)
    now_day = as_of.timestamp() / 86400
    overdue = (
        select(
            P.member_id,
            visits.label("visits"),
            func.sum(net).label("revenue"),
            first_at.label("first_at"),
            last_at.label("last_at"),
        )
        .where(P.tenant_id == tenant_id, P.occurred_at <= _at(as_of), net > 0)
        .group_by(P.member_id)
        .having(
            visits >= 2,
            last_at > first_at,
            (literal(now_day) - last_day) * (visits - 1) > literal(params.k) * (last_day - first_day),
        )
        .subquery("overdue")
    )
    o = overdue.c
    statement = select(overdue, M.first_name, M.last_name, M.mobile).join(
        Member.__table__, M.id == o.member_id
    )
    members = Table(
        "members",
        "Churn risk",
        "در خطر ریزش",
        [
            *_MEMBER,
            F("purchases", "Purchases", "تعداد خرید"),
            F("last_purchase", "Last purchase", "آخرین خرید"),
            F("days_since", "Days since last purchase", "روز از آخرین خرید"),
            F("mean_gap_days", "Mean days between purchases", "میانگین فاصله خریدها (روز)"),
            F("overdue_ratio", "Days since ÷ mean gap", "نسبت تأخیر"),
            F("revenue_rials", "Net revenue (rials)", "خالص خرید (ریال)"),
        ],
    )
    for row in await session.execute(statement):
        gap = _days(row.last_at, row.first_at) / (row.visits - 1)
        since = _days(as_of, row.last_at)
        members.rows.append(
            [
                row.member_id,
                _name(row.first_name, row.last_name),
                row.mobile,
                row.visits,
                labels.day_label(row.last_at, lang),
                int(since),
                round(gap, 1),
                round(since / gap, 2),
                int(row.revenue),
            ]
        )
    members.rows.sort(key=lambda values: (-values[7], values[0]))
    return Report("churn", lang, as_of, {"k": params.k}, [members])


# --- Cohorts ---------------------------------------------------------------------------------------


def _month_index(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Which of the months (0 … len(bounds) − 2) ``column`` falls in, or NULL outside them."""
    whens = [(column < _at(bounds[i + 1]), i) for i in range(len(bounds) - 1)]
    return case((column < _at(bounds[0]), None), *whens, else_=None)


async def cohorts(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Retention by enrolment month: the share of each month's new members who bought k months later.

    Months are Jalali in Persian and Gregorian in English, in Tehran time; ``month_0`` is the month of
    enrolment. Months that have not begun by ``as_of`` are left empty.
    """
    as_of = params.as_of or utcnow()
    await _tune(session)
    months = labels.month_starts(as_of, params.months, lang)
    bounds = [start for start, _ in months]
    cohort = _month_index(M.created_at, bounds).label("cohort")
    enrolled = (
        select(M.id.label("member_id"), cohort)
        .where(M.tenant_id == tenant_id, M.created_at >= _at(bounds[0]), M.created_at <= _at(as_of))
        .subquery("enrolled")
    )
    active = (
        select(P.member_id, _month_index(P.occurred_at, bounds).label("month"))
        .where(
            P.tenant_id == tenant_id,
            P.occurred_at >= _at(bounds[0]),
            P.occurred_at <= _at(as_of),
            _net() > 0,
        )
        .distinct()
        .subquery("active")
    )
    sizes: dict[Any, int] = dict(
        (await session.execute(select(enrolled.c.cohort, func.count()).group_by(enrolled.c.cohort))).all()
    )
    offset = (active.c.month - enrolled.c.cohort).label("offset")
    retained = await session.execute(
        select(enrolled.c.cohort, offset, func.count(func.distinct(enrolled.c.member_id)))
        .join(active, active.c.member_id == enrolled.c.member_id)
        .where(active.c.month >= enrolled.c.cohort)
        .group_by(enrolled.c.cohort, offset)
    )
    counts = {(cohort_index, month): n for cohort_index, month, n in retained}
    word = "ماه" if lang == "fa" else "month"
    fields = [F("cohort", "Enrolment month", "ماه عضویت"), F("members", "New members", "اعضای جدید")]
    for k in range(params.months):
        label = f"{word} {labels.persian_digits(str(k)) if lang == 'fa' else k}"
        fields.append(F(f"month_{k}", label, label))
    table = Table("retention", "Retention by enrolment month", "ماندگاری بر اساس ماه عضویت", fields)
    for index in range(params.months):
        size = sizes.get(index, 0)
        values: list[Any] = [months[index][1], size]
        for k in range(params.months):
            if index + k >= params.months:
                values.append(None)
            else:
                values.append(_share(counts.get((index, k), 0), size))
        table.rows.append(values)
    return Report("cohorts", lang, as_of, {"months": params.months}, [table])


# --- Programme health ------------------------------------------------------------------------------


async def health(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """What the programme owes and costs: liability, breakage, redemption, earn and burn.

    * Outstanding points = what members' unexpired lots still hold plus what open holds keep; valued at
      the programme's point value (rials of discount per point).
    * Issued = points given to members (earn, bonus, adjustments in their favour) less earn reversals;
      breakage = expired ÷ issued; redemption rate = (redeemed − returned) ÷ issued — all time.
    * Earn and burn by branch and by campaign, and revenue, in the window.
    """
    as_of = params.as_of or utcnow()
    await _tune(session)
    start = as_of - timedelta(days=params.window_days)
    point_value = await session.scalar(
        select(Program.point_value_rials).where(Program.tenant_id == tenant_id)
    )
    if point_value is None:
        raise NotFound("programme", "برنامه")
    L = PointLot.__table__.c
    A = Account.__table__.c
    live = and_(
        L.tenant_id == tenant_id,
        # Wallet lots count rials, not points.
        L.account_id.in_(
            select(A.id).where(A.tenant_id == tenant_id, A.asset == "points", A.kind == "member")
        ),
        L.remaining > 0,
        (L.expires_at.is_(None)) | (L.expires_at > _at(as_of)),
    )
    lots_points = int(await session.scalar(select(func.coalesce(func.sum(L.remaining), 0)).where(live)) or 0)
    held = int(
        await session.scalar(
            select(func.coalesce(func.sum(A.pending), 0)).where(A.tenant_id == tenant_id, A.kind == "member")
        )
        or 0
    )
    outstanding = lots_points + held

    # Months from this one up to the last expiry among live lots (at most 10 years ahead).
    last_expiry = await session.scalar(select(func.max(L.expires_at)).where(live))
    ahead = 0
    if last_expiry is not None:
        ahead = min(120, (last_expiry.year - as_of.year) * 12 + last_expiry.month - as_of.month + 2)
    months = _months_ahead(as_of, ahead, lang)
    bounds = [moment for moment, _ in months]
    # -1: never expires; NULL: after the last month shown (more than ten years ahead).
    expiry_month = case((L.expires_at.is_(None), -1), else_=_month_index(L.expires_at, bounds)).label("month")
    by_month = dict(
        (
            await session.execute(
                select(expiry_month, func.sum(L.remaining)).where(live).group_by(expiry_month)
            )
        ).all()
    )
    expiring = Table(
        "by_expiry_month",
        "Outstanding points by expiry month",
        "امتیازهای مانده بر اساس ماه انقضا",
        [
            F("month", "Expiry month", "ماه انقضا"),
            F("points", "Points", "امتیاز"),
            F("liability_rials", "Liability (rials)", "تعهد (ریال)"),
        ],
    )
    for index in range(len(bounds) - 1):
        points = int(by_month.get(index) or 0)
        if points:
            expiring.rows.append([months[index][1], points, points * point_value])
    for bucket, fa, en in ((None, "بعدتر", "Later"), (-1, "بدون انقضا", "Never")):
        points = int(by_month.get(bucket) or 0)
        if points:
            expiring.rows.append([fa if lang == "fa" else en, points, points * point_value])

    T = Transfer.__table__.c
    credit = Account.__table__.alias("credit")
    flows = await session.execute(
        select(T.code, credit.c.kind, func.sum(T.amount))
        .join(credit, credit.c.id == T.credit_account_id)
        .where(T.tenant_id == tenant_id, T.created_at <= _at(as_of))
        .group_by(T.code, credit.c.kind)
    )
    moved: dict[tuple[str, bool], int] = {}
    for code, kind, total in flows:
        key = (code, kind == "member")
        moved[key] = moved.get(key, 0) + int(total)
    issued = sum(moved.get((code, True), 0) for code in ("earn", "bonus", "adjust")) - moved.get(
        ("earn_reversal", False), 0
    )
    expired = moved.get(("expire", False), 0)
    redeemed = moved.get(("redeem", False), 0) - moved.get(("redeem_return", True), 0)

    window = and_(P.tenant_id == tenant_id, P.occurred_at > _at(start), P.occurred_at <= _at(as_of))
    B = Branch.__table__.c
    branches = Table(
        "by_branch",
        "Earn and burn by branch",
        "کسب و خرج امتیاز بر اساس شعبه",
        [
            F("branch", "Branch", "شعبه"),
            F("name", "Name", "نام"),
            F("purchases", "Purchases", "تعداد خرید"),
            F("revenue_rials", "Net revenue (rials)", "خالص فروش (ریال)"),
            F("earned", "Points earned", "امتیاز کسب‌شده"),
            F("burned", "Points spent", "امتیاز خرج‌شده"),
            F("discount_rials", "Points discount (rials)", "تخفیف امتیازی (ریال)"),
        ],
    )
    member_revenue = 0
    for row in await session.execute(
        select(
            B.code,
            B.name,
            func.count(P.id),
            func.coalesce(func.sum(_net()), 0),
            func.coalesce(func.sum(P.points_earned - P.points_reversed), 0),
            func.coalesce(func.sum(P.points_redeemed - P.points_returned), 0),
            func.coalesce(func.sum(P.discount_rials), 0),
        )
        .select_from(Branch.__table__)
        .join(Purchase.__table__, and_(P.branch_id == B.id, window))
        .where(B.tenant_id == tenant_id)
        .group_by(B.id, B.code, B.name)
        .order_by(B.code)
    ):
        branches.rows.append([row[0], row[1], *(int(v) for v in row[2:])])
        member_revenue += int(row[3])

    W = CampaignAward.__table__.c
    C = Campaign.__table__.c
    campaigns = Table(
        "by_campaign",
        "Bonus points by campaign",
        "امتیاز جایزه بر اساس کمپین",
        [
            F("campaign_id", "Campaign", "کمپین"),
            F("name", "Name", "نام"),
            F("awards", "Awards", "دفعات اعطا"),
            F("points", "Points", "امتیاز"),
        ],
    )
    awarded = (
        select(W.campaign_id, func.count(W.id).label("awards"), func.sum(W.points).label("points"))
        .where(W.tenant_id == tenant_id, W.created_at > _at(start), W.created_at <= _at(as_of))
        .group_by(W.campaign_id)
        .subquery("awarded")
    )
    for campaign_id, definition, awards, points in await session.execute(
        select(C.id, C.definition, awarded.c.awards, awarded.c.points)
        .join(awarded, awarded.c.campaign_id == C.id)
        .order_by(C.id)
    ):
        name = (definition or {}).get("name_en" if lang == "en" else "name_fa") or (definition or {}).get(
            "name_fa"
        )
        campaigns.rows.append([campaign_id, name, int(awards), int(points)])

    summary, add = _metrics("Programme health", "سلامت برنامه", lang)

    add("outstanding_points", "Outstanding points", "امتیازهای مانده", outstanding)
    add("held_points", "Of which held by open redemptions", "در رزرو", held)
    add("point_value_rials", "Point value (rials)", "ارزش هر امتیاز (ریال)", point_value)
    add("liability_rials", "Outstanding liability (rials)", "تعهد امتیازی (ریال)", outstanding * point_value)
    add("issued_points", "Points issued (all time)", "امتیاز صادرشده (کل)", issued)
    add("expired_points", "Points expired (all time)", "امتیاز منقضی‌شده (کل)", expired)
    add("redeemed_points", "Points redeemed (all time)", "امتیاز خرج‌شده (کل)", redeemed)
    add("breakage", "Breakage (expired ÷ issued)", "نرخ سوخت (منقضی ÷ صادر)", _share(expired, issued))
    add(
        "redemption_rate",
        "Redemption rate (redeemed ÷ issued)",
        "نرخ استفاده (خرج ÷ صادر)",
        _share(redeemed, issued),
    )
    add(
        "member_revenue_rials",
        "Members' net revenue in window (rials)",
        "خالص فروش به اعضا در بازه (ریال)",
        member_revenue,
    )
    if params.store_revenue_rials is not None:
        add(
            "member_revenue_share",
            "Members' share of revenue",
            "سهم اعضا از فروش",
            _share(member_revenue, params.store_revenue_rials),
        )
    return Report(
        "health",
        lang,
        as_of,
        {"window_days": params.window_days, "store_revenue_rials": params.store_revenue_rials},
        [summary, expiring, branches, campaigns],
    )


def _months_ahead(as_of: datetime, ahead: int, lang: str) -> list[tuple[datetime, str]]:
    """The calendar month of ``as_of`` and ``ahead`` more, with the start of the one after."""
    last = labels.month_starts(as_of, 1, lang)
    months = list(last[:1])
    moment = last[1][0]
    for _ in range(ahead):
        nxt = labels.month_starts(moment + timedelta(hours=1), 1, lang)
        months.append(nxt[0])
        moment = nxt[1][0]
    months.append((moment, ""))
    return months


# --- Customer lifetime value ----------------------------------------------------------------------


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
    await _tune(session)
    epoch = date(1970, 1, 1)
    # The Tehran calendar day of each purchase as days since 1970-01-01.
    if _is_postgres(session):
        local_day = func.date(func.timezone("Asia/Tehran", P.occurred_at))
        day_number: ColumnElement[Any] = cast(local_day - literal(epoch), Integer)
    else:
        await _tehran_parts(session)  # registers tehran_local()
        local_day = func.date(func.tehran_local(P.occurred_at))
        day_number = cast(func.julianday(local_day) - 2440587.5, Integer)
    net = _net()
    # Per member and day, then per member, the first day's amount picked out by a window over the
    # member's days: PostgreSQL sorts once (in parallel) and aggregates in order, where a per-day CTE
    # joined back to the per-member rows for that amount took twice as long at a million members.
    per_day = (
        select(P.member_id, day_number.label("day"), func.sum(net).label("amount"))
        .where(P.tenant_id == tenant_id, P.occurred_at <= _at(as_of), net > 0)
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
    statement = select(
        pm.member_id,
        func.trim(func.coalesce(M.first_name, "") + " " + func.coalesce(M.last_name, "")),
        M.mobile,
        pm.days,
        pm.first_day,
        pm.last_day,
        cast(pm.total, BigInteger),
        cast(pm.first_amount, BigInteger),
    ).join(Member.__table__, M.id == pm.member_id)
    rows = (await session.execute(statement)).all()
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
    members = Table(
        "members",
        "Customer lifetime value",
        "ارزش طول عمر مشتری",
        [
            *_MEMBER,
            F("repeat_purchases", "Repeat purchase days", "روزهای خرید تکراری"),
            F("expected_purchases_90d", "Expected purchases, 90 days", "خرید مورد انتظار ۹۰ روز"),
            F("expected_purchases_365d", "Expected purchases, 365 days", "خرید مورد انتظار ۳۶۵ روز"),
            F("probability_alive", "Probability still active", "احتمال فعال بودن"),
            F(
                "expected_value_365d_rials",
                "Expected value, 365 days (rials)",
                "ارزش مورد انتظار ۳۶۵ روز (ریال)",
            ),
        ],
    )
    for r in scored:
        i = r["member_id"]  # the position in the rows read above
        members.rows.append(
            [
                ids[i],
                names[i],
                mobiles[i],
                r["frequency"],
                round(r["expected_purchases_90d"], 3),
                round(r["expected_purchases_365d"], 3),
                round(r["probability_alive"], 4),
                r["expected_value_365d_rials"],
            ]
        )
    return Report("clv", lang, as_of, {}, [members])


# --- Registry --------------------------------------------------------------------------------------

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
