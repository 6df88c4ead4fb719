"""A tenant's purchases summarised per customer as the models read them."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import UTC, date, datetime, tzinfo

import numpy as np
import numpy.typing as npt

from bashgah.analytics.clv.common import PERIOD_DAYS, CustomerSummary, FloatArray, Period
from bashgah.core.jalali import TEHRAN


def summarise_days(
    customer: npt.ArrayLike,
    day: npt.ArrayLike,
    amount: npt.ArrayLike,
    end_day: int,
    period_days: float = 1.0,
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray, FloatArray, FloatArray]:
    """Vectorised core of :func:`summarise` on integer customer indexes and day numbers.

    Returns ``(customers, frequency, recency, T, monetary_value)`` for every customer with a purchase on
    or before ``end_day``, customers in ascending order. Purchases on one day are merged into one, with
    their amounts added.
    """
    cust = np.asarray(customer, dtype=np.int64)
    days = np.asarray(day, dtype=np.int64)
    amounts = np.asarray(amount, dtype=np.float64)
    if not (cust.shape == days.shape == amounts.shape) or cust.ndim != 1:
        raise ValueError("customer, day and amount must be one-dimensional arrays of the same length")
    keep = days <= end_day
    cust, days, amounts = cust[keep], days[keep], amounts[keep]
    empty = np.empty(0, dtype=np.float64)
    if cust.size == 0:
        return np.empty(0, dtype=np.int64), empty, empty, empty, empty

    order = np.lexsort((days, cust))
    cust, days, amounts = cust[order], days[order], amounts[order]
    # One "visit" per (customer, day).
    new_visit = np.ones(cust.size, dtype=bool)
    new_visit[1:] = (cust[1:] != cust[:-1]) | (days[1:] != days[:-1])
    visit_starts = np.flatnonzero(new_visit)
    visit_cust = cust[visit_starts]
    visit_day = days[visit_starts]
    visit_amount = np.add.reduceat(amounts, visit_starts)

    new_customer = np.ones(visit_cust.size, dtype=bool)
    new_customer[1:] = visit_cust[1:] != visit_cust[:-1]
    first = np.flatnonzero(new_customer)
    last = np.append(first[1:], visit_cust.size) - 1
    visits = last - first + 1

    frequency = (visits - 1).astype(np.float64)
    recency = (visit_day[last] - visit_day[first]) / period_days
    age = (end_day - visit_day[first]) / period_days
    repeat_spend = np.add.reduceat(visit_amount, first) - visit_amount[first]
    monetary = np.divide(repeat_spend, frequency, out=np.zeros_like(repeat_spend), where=frequency > 0)
    return visit_cust[first], frequency, recency.astype(np.float64), age.astype(np.float64), monetary


def _local_day(moment: date | datetime, tz: tzinfo) -> int:
    """Day number (proleptic ordinal) of a moment as seen in ``tz``; naive datetimes are UTC."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(tz).toordinal()
    return moment.toordinal()


def summarise(
    transactions: Iterable[tuple[Hashable, date | datetime, float]],
    observation_end: date | datetime,
    period: Period = "D",
    *,
    tz: tzinfo = TEHRAN,
) -> CustomerSummary:
    """Frequency, recency, T and mean repeat value per customer from ``(customer, when, amount)`` rows.

    Purchases after ``observation_end`` (compared by calendar day in ``tz``) are ignored. Datetimes are
    placed on the calendar day they fall on in ``tz`` (Tehran by default; naive ones are taken as UTC,
    as stored); plain dates are used as they are. Times are in days (``"D"``) or weeks (``"W"``).
    """
    if period not in PERIOD_DAYS:
        raise ValueError(f"period must be one of {sorted(PERIOD_DAYS)}, not {period!r}")
    index: dict[Hashable, int] = {}
    custs: list[int] = []
    days: list[int] = []
    amounts: list[float] = []
    for customer_id, when, amount in transactions:
        position = index.get(customer_id)
        if position is None:
            position = index[customer_id] = len(index)
        custs.append(position)
        days.append(_local_day(when, tz))
        amounts.append(float(amount))
    ids = list(index)
    found, frequency, recency, age, monetary = summarise_days(
        custs, days, amounts, _local_day(observation_end, tz), PERIOD_DAYS[period]
    )
    return CustomerSummary(
        customer_ids=[ids[i] for i in found],
        frequency=frequency,
        recency=recency,
        T=age,
        monetary_value=monetary,
        period_days=PERIOD_DAYS[period],
    )
