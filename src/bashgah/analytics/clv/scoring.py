"""A customer's value, and the fit and scores the CLV report and segments use."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from bashgah.analytics.clv.bgnbd import expected_purchases, fit_bgnbd, probability_alive
from bashgah.analytics.clv.common import (
    BGNBDParams,
    CustomerSummary,
    FloatArray,
    GammaGammaParams,
    as_float_arrays,
)
from bashgah.analytics.clv.gamma_gamma import expected_average_value, fit_gamma_gamma
from bashgah.analytics.clv.summary import summarise
from bashgah.core.jalali import TEHRAN


def customer_value(
    bgnbd: BGNBDParams,
    gamma_gamma: GammaGammaParams,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike,
    *,
    horizon: float,
    steps: int = 12,
    discount_rate: float = 0.0,
) -> FloatArray:
    """Expected discounted value of a customer's purchases over the next ``horizon`` time units.

    The horizon is cut into ``steps`` equal periods (months for a year); the purchases expected in
    period k are valued at the expected spend per purchase and discounted by (1 + discount_rate)^k,
    ``discount_rate`` being the rate per step (a monthly rate for monthly steps).
    """
    if horizon < 0 or steps < 1 or discount_rate <= -1.0:
        raise ValueError("horizon must be >= 0, steps >= 1 and discount_rate > -1")
    x, tx, age, m = as_float_arrays(frequency, recency, T, monetary)
    spend = expected_average_value(gamma_gamma, x, m)
    value = np.zeros_like(x)
    previous = np.zeros_like(x)
    for k in range(1, steps + 1):
        cumulative = expected_purchases(bgnbd, horizon * k / steps, x, tx, age)
        value += (cumulative - previous) / (1.0 + discount_rate) ** k
        previous = cumulative
    return value * spend


# --------------------------------------------------------------------------------------------------
# For reports


@dataclass(frozen=True)
class ClvModels:
    """One tenant's fitted models; α is in days."""

    bgnbd: BGNBDParams
    gamma_gamma: GammaGammaParams

    period_days: ClassVar[float] = 1.0


def fit_models(summary: CustomerSummary) -> ClvModels:
    """Fit both models to a day-based summary of one tenant's purchases."""
    if summary.period_days != ClvModels.period_days:
        raise ValueError("the report models are fitted on times in days")
    return ClvModels(
        bgnbd=fit_bgnbd(summary.frequency, summary.recency, summary.T),
        gamma_gamma=fit_gamma_gamma(summary.frequency, summary.monetary_value),
    )


def score(
    models: ClvModels, summary: CustomerSummary, *, monthly_discount_rate: float = 0.0
) -> list[dict[str, Any]]:
    """Per-member predictions for the report, in the summary's order."""
    x, tx, age, m = summary.frequency, summary.recency, summary.T, summary.monetary_value
    bg, gg = models.bgnbd, models.gamma_gamma
    purchases_90 = expected_purchases(bg, 90.0, x, tx, age)
    purchases_365 = expected_purchases(bg, 365.0, x, tx, age)
    alive = probability_alive(bg, x, tx, age)
    value = customer_value(
        bg, gg, x, tx, age, m, horizon=365.0, steps=12, discount_rate=monthly_discount_rate
    )
    value_rials = np.rint(value).astype(np.int64)
    return [
        {
            "member_id": member_id,
            "frequency": int(x[i]),
            "recency_days": float(tx[i]),
            "age_days": float(age[i]),
            "average_repeat_amount_rials": float(m[i]),
            "expected_purchases_90d": float(purchases_90[i]),
            "expected_purchases_365d": float(purchases_365[i]),
            "probability_alive": float(alive[i]),
            "expected_value_365d_rials": int(value_rials[i]),
        }
        for i, member_id in enumerate(summary.customer_ids)
    ]


def clv_table(
    rows: Iterable[tuple[Hashable, date | datetime, float]],
    observation_end: date | datetime,
    *,
    monthly_discount_rate: float = 0.0,
    tz: tzinfo = TEHRAN,
) -> list[dict[str, Any]]:
    """CLV per member from one tenant's ``(member_id, occurred_at, amount_rials)`` purchase rows.

    Each row is a purchase (net of its refunds, if the caller has them); every day with a row counts as
    a purchase day, so rows for refunds on their own must be left out.

    Fits BG/NBD and Gamma-Gamma on the purchases up to ``observation_end`` and returns, per member who
    bought by then: ``expected_purchases_90d``, ``expected_purchases_365d``, ``probability_alive`` and
    ``expected_value_365d_rials`` (the next 365 days' spend, in monthly steps discounted at
    ``monthly_discount_rate``), with the summary the predictions rest on. Raises :class:`NotEnoughData`
    when nobody has bought twice.
    """
    summary = summarise(rows, observation_end, "D", tz=tz)
    models = fit_models(summary)
    return score(models, summary, monthly_discount_rate=monthly_discount_rate)
