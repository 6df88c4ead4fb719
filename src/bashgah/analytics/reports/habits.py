"""Purchase habits and churn risk: each member's rhythm — when they come, how often, what they buy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import labels
from bashgah.analytics.reports.base import MEMBER, Column, Params, Report, Table, days_between, rials, text
from bashgah.analytics.reports.sql import (
    I,
    M,
    P,
    at,
    epoch_days,
    in_window,
    net,
    tehran_parts,
    tune,
    window_start,
)
from bashgah.core.jalali import utcnow
from bashgah.models import Member, PurchaseItem

_PURCHASES = Column("purchases", "Purchases", "تعداد خرید", get=lambda row: row.visits)
_MEAN_GAP = ("mean_gap_days", "Mean days between purchases", "میانگین فاصله خریدها (روز)")


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


async def _favourites(session: AsyncSession, where: Any) -> dict[int, list[str]]:
    """Each member's (up to) three most bought categories, most bought first."""
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
    return favourites


def _mean_gap(row: Any) -> float | None:
    gap = days_between(row.last_at, row.first_at) / (row.visits - 1) if row.visits > 1 else None
    return round(gap, 1) if gap is not None else None


async def habits(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Per member in the window: favourite categories, usual weekday and hour (Tehran), average basket,
    mean days between purchases."""
    as_of = params.as_of or utcnow()
    await tune(session)
    value = net()
    where = and_(in_window(tenant_id, window_start(as_of, params.window_days), as_of), value > 0)
    weekday, hour = await tehran_parts(session)
    usual_day = await _mode(session, weekday, where)
    usual_hour = await _mode(session, hour, where)
    favourites = await _favourites(session, where)
    per_member = (
        select(
            P.member_id,
            func.count().label("visits"),
            func.sum(value).label("revenue"),
            func.min(P.occurred_at).label("first_at"),
            func.max(P.occurred_at).label("last_at"),
        )
        .where(where)
        .group_by(P.member_id)
        .subquery("per_member")
    )
    statement = (
        select(per_member, M.first_name, M.last_name, M.mobile)
        .join(Member.__table__, M.id == per_member.c.member_id)
        .order_by(per_member.c.member_id)
    )

    def weekday_of(row: Any) -> str | None:
        day = usual_day.get(row.member_id)
        return labels.weekday_label(day, lang) if day is not None else None

    separator = "، " if lang == "fa" else ", "
    columns = [
        *MEMBER,
        _PURCHASES,
        rials(
            "average_basket_rials",
            "Average basket (rials)",
            "میانگین سبد (ریال)",
            lambda row: round(int(row.revenue) / row.visits),
        ),
        Column(*_MEAN_GAP, get=_mean_gap),
        text("usual_weekday", "Usual weekday", "روز معمول", weekday_of),
        Column("usual_hour", "Usual hour", "ساعت معمول", get=lambda row: usual_hour.get(row.member_id)),
        text(
            "favourite_categories",
            "Favourite categories",
            "دسته‌های محبوب",
            lambda row: separator.join(favourites.get(row.member_id, [])),
        ),
    ]
    members = Table("members", "Purchase habits", "عادت‌های خرید", columns)
    members.fill(await session.execute(statement))
    return Report("habits", lang, as_of, {"window_days": params.window_days}, [members])


async def churn(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Members overdue against their own rhythm: days since the last visit > k × their mean gap.

    Over all visits up to ``as_of``; a member needs two visits at different moments to have a rhythm.
    """
    as_of = params.as_of or utcnow()
    await tune(session)
    value = net()
    first_at, last_at = func.min(P.occurred_at), func.max(P.occurred_at)
    visits = func.count()
    first_day, last_day = epoch_days(session, first_at), epoch_days(session, last_at)
    now_day = as_of.timestamp() / 86400
    overdue = (
        select(
            P.member_id,
            visits.label("visits"),
            func.sum(value).label("revenue"),
            first_at.label("first_at"),
            last_at.label("last_at"),
        )
        .where(P.tenant_id == tenant_id, P.occurred_at <= at(as_of), value > 0)
        .group_by(P.member_id)
        .having(
            visits >= 2,
            last_at > first_at,
            (literal(now_day) - last_day) * (visits - 1) > literal(params.k) * (last_day - first_day),
        )
        .subquery("overdue")
    )
    statement = select(overdue, M.first_name, M.last_name, M.mobile).join(
        Member.__table__, M.id == overdue.c.member_id
    )

    def since(row: Any) -> float:
        return days_between(as_of, row.last_at)

    def gap(row: Any) -> float:
        return days_between(row.last_at, row.first_at) / (row.visits - 1)

    columns = [
        *MEMBER,
        _PURCHASES,
        text("last_purchase", "Last purchase", "آخرین خرید", lambda row: labels.day_label(row.last_at, lang)),
        Column(
            "days_since", "Days since last purchase", "روز از آخرین خرید", get=lambda row: int(since(row))
        ),
        Column(*_MEAN_GAP, get=lambda row: round(gap(row), 1)),
        Column(
            "overdue_ratio",
            "Days since ÷ mean gap",
            "نسبت تأخیر",
            get=lambda row: round(since(row) / gap(row), 2),
        ),
        rials("revenue_rials", "Net revenue (rials)", "خالص خرید (ریال)", lambda row: int(row.revenue)),
    ]
    members = Table("members", "Churn risk", "در خطر ریزش", columns)
    members.fill(await session.execute(statement))
    members.rows.sort(key=lambda values: (-values[7], values[0]))
    return Report("churn", lang, as_of, {"k": params.k}, [members])
