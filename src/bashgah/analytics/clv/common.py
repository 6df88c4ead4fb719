"""What the CLV models share: their parameters, the customers' summary, the errors, the checks of
their inputs and the bounded maximum-likelihood fit."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from bashgah.core.errors import BashgahError

FloatArray = npt.NDArray[np.float64]
Period = Literal["D", "W"]
PERIOD_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0}

# Parameters are optimised as logarithms inside these bounds so that a degenerate data set (nobody
# dropping out, everybody buying at the same rate) ends at a finite boundary fit instead of overflowing.
# A shape of 1e4 is already a point mass for every practical purpose (coefficient of variation 1 %);
# scales (α, v) are fitted on data rescaled to a mean of 1 and get more room.
LOG_LOWER = np.log(1e-6)
LOG_SHAPE_UPPER = np.log(1e4)
LOG_SCALE_UPPER = np.log(1e8)
# q must exceed 1 for a population mean spend to exist (E[Z] = p·v/(q-1)), which new customers need.
LOG_Q_LOWER = np.log(1.0 + 1e-3)


class NotEnoughData(BashgahError):
    status = 409
    code = "not_enough_data_for_clv"
    message_en = "Not enough purchase history to estimate customer lifetime value: {reason}."
    message_fa = "سابقه‌ی خرید برای برآورد ارزش طول عمر مشتری کافی نیست: {reason}."


class ModelFitError(BashgahError):
    status = 500
    code = "clv_fit_failed"
    message_en = "The customer lifetime value model could not be fitted: {reason}."
    message_fa = "برازش مدل ارزش طول عمر مشتری انجام نشد: {reason}."


@dataclass(frozen=True)
class BGNBDParams:
    """BG/NBD: purchase rate λ ~ Gamma(r, α); drop-out probability after each purchase p ~ Beta(a, b).

    α is in the time unit of the data it was fitted on (days, or weeks for the CDNOW check).
    """

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma: spend per purchase ~ Gamma(p, ν), ν ~ Gamma(q, v); v is in money units."""

    p: float
    q: float
    v: float

    @property
    def population_mean(self) -> float:
        """Expected spend per purchase of a customer we know nothing about."""
        return self.p * self.v / (self.q - 1.0)


@dataclass(frozen=True)
class CustomerSummary:
    """Per-customer inputs of the models, in the order of ``customer_ids``; times in ``period_days``."""

    customer_ids: list[Hashable]
    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary_value: FloatArray
    period_days: float


def as_float_arrays(*values: npt.ArrayLike) -> list[FloatArray]:
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    return list(np.broadcast_arrays(*arrays))


def check_rft(frequency: FloatArray, recency: FloatArray, T: FloatArray) -> None:
    if frequency.size == 0:
        raise NotEnoughData(reason="no customers")
    if np.any(~np.isfinite(frequency) | ~np.isfinite(recency) | ~np.isfinite(T)):
        raise ValueError("frequency, recency and T must be finite")
    if np.any(frequency < 0) or np.any(frequency != np.round(frequency)):
        raise ValueError("frequency must be a whole number of repeat purchases, >= 0")
    if np.any(recency < 0) or np.any(recency > T):
        raise ValueError("recency must lie between 0 and T")
    if np.any((frequency == 0) & (recency != 0)):
        raise ValueError("a customer without repeat purchases has recency 0")


def minimise(
    objective: Any, start: FloatArray, bounds: Sequence[tuple[float, float]], model: str
) -> FloatArray:
    result = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
    )
    value, grad = objective(result.x)
    if not np.isfinite(value):
        raise ModelFitError(reason=f"{model}: the likelihood is not finite")
    # L-BFGS-B may stop on a line-search failure right at the optimum; accept it when the gradient of
    # every free (not-at-a-bound) parameter is flat. The objective is a mean per customer, so 1e-4 is
    # flat whatever the number of customers.
    lower = np.array([lo for lo, _ in bounds])
    upper = np.array([hi for _, hi in bounds])
    free = (result.x > lower + 1e-6) & (result.x < upper - 1e-6)
    if not result.success and np.max(np.abs(grad[free]), initial=0.0) > 1e-4:
        raise ModelFitError(reason=f"{model}: {result.message}")
    return np.asarray(result.x, dtype=np.float64)
