"""Cohorts: retention by enrolment month."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import labels
from bashgah.analytics.reports.base import Column, Params, Report, Table, ratio, share, text
from bashgah.analytics.reports.sql import M, P, at, month_index, net, tune
from bashgah.core.jalali import utcnow


async def cohorts(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """Retention by enrolment month: the share of each month's new members who bought k months later.

    Months are Jalali in Persian and Gregorian in English, in Tehran time; ``month_0`` is the month of
    enrolment. Months that have not begun by ``as_of`` are left empty.
    """
    as_of = params.as_of or utcnow()
    await tune(session)
    months = labels.month_starts(as_of, params.months, lang)
    bounds = [start for start, _ in months]
    cohort = month_index(M.created_at, bounds).label("cohort")
    enrolled = (
        select(M.id.label("member_id"), cohort)
        .where(M.tenant_id == tenant_id, M.created_at >= at(bounds[0]), M.created_at <= at(as_of))
        .subquery("enrolled")
    )
    active = (
        select(P.member_id, month_index(P.occurred_at, bounds).label("month"))
        .where(
            P.tenant_id == tenant_id,
            P.occurred_at >= at(bounds[0]),
            P.occurred_at <= at(as_of),
            net() > 0,
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

    def kept(k: int) -> Column:
        """The share of a cohort (its index is the row) who bought in their k-th month, once it began."""
        label = f"{word} {labels.persian_digits(str(k)) if lang == 'fa' else k}"
        return share(
            f"month_{k}",
            label,
            label,
            lambda index: (
                None if index + k >= params.months else ratio(counts.get((index, k), 0), sizes.get(index, 0))
            ),
        )

    columns = [
        text("cohort", "Enrolment month", "ماه عضویت", lambda index: months[index][1]),
        Column("members", "New members", "اعضای جدید", get=lambda index: sizes.get(index, 0)),
        *(kept(k) for k in range(params.months)),
    ]
    table = Table("retention", "Retention by enrolment month", "ماندگاری بر اساس ماه عضویت", columns)
    table.fill(range(params.months))
    return Report("cohorts", lang, as_of, {"months": params.months}, [table])
