"""Customer lifetime value: the BG/NBD and Gamma-Gamma models, fitted by maximum likelihood.

* BG/NBD — Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2):
  how many purchases a customer will make and the probability that they are still active ("alive").
* Gamma-Gamma — Fader, Hardie & Lee (2005), "RFM and CLV", Journal of Marketing Research 42(4), and
  Hardie's note "The Gamma-Gamma Model of Monetary Value": the expected spend per purchase.

Each customer is summarised as in the papers: ``frequency`` = number of repeat purchases (purchase days
after the first), ``recency`` = time from the first to the last purchase, ``T`` = time from the first
purchase to the end of observation, ``monetary`` = mean value of the repeat purchases. Purchases on the
same (Tehran) day count as one purchase, as in the CDNOW data the papers use.

Own implementation rather than a library: ``lifetimes`` (last release 0.11.3, 2020) still installs and
reproduces the CDNOW fits on today's numpy/scipy/pandas, but it is unmaintained, imports the deprecated
``pkg_resources`` and brings pandas, autograd and dill; the maintained ``pymc-marketing`` brings PyMC,
PyTensor and a C compiler (~800 MB) and fits a Bayesian model whose default priors move CDNOW's a and b
more than 10 % away from the papers' maximum-likelihood values. The models are a few closed forms.

All functions are vectorised with numpy; the likelihoods are computed in log space.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from bashgah.core.errors import BashgahError
from bashgah.core.jalali import TEHRAN

__all__ = [
    "BGNBDParams",
    "ClvModels",
    "CustomerSummary",
    "GammaGammaParams",
    "ModelFitError",
    "NotEnoughData",
    "bgnbd_log_likelihood",
    "clv_table",
    "customer_value",
    "expected_average_value",
    "expected_purchases",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_models",
    "gamma_gamma_log_likelihood",
    "probability_alive",
    "score",
    "summarise",
    "summarise_days",
    "unconditional_expected_purchases",
]

FloatArray = npt.NDArray[np.float64]
Period = Literal["D", "W"]
PERIOD_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0}

# Parameters are optimised as logarithms inside these bounds so that a degenerate data set (nobody
# dropping out, everybody buying at the same rate) ends at a finite boundary fit instead of overflowing.
# A shape of 1e4 is already a point mass for every practical purpose (coefficient of variation 1 %);
# scales (α, v) are fitted on data rescaled to a mean of 1 and get more room.
_LOG_LOWER = np.log(1e-6)
_LOG_SHAPE_UPPER = np.log(1e4)
_LOG_SCALE_UPPER = np.log(1e8)
# q must exceed 1 for a population mean spend to exist (E[Z] = p·v/(q-1)), which new customers need.
_LOG_Q_LOWER = np.log(1.0 + 1e-3)


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


# --------------------------------------------------------------------------------------------------
# Summaries


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


# --------------------------------------------------------------------------------------------------
# BG/NBD


def _as_float_arrays(*values: npt.ArrayLike) -> list[FloatArray]:
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    return list(np.broadcast_arrays(*arrays))


def _check_rft(frequency: FloatArray, recency: FloatArray, T: FloatArray) -> None:
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


def _bgnbd_terms(
    params: BGNBDParams, frequency: FloatArray, recency: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Log-likelihood pieces: the part shared by both cases, and the 'alive at T' / 'dropped' logs."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = frequency
    shared = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + x)
        - gammaln(b)
        - gammaln(a + b + x)
    )
    alive = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    dropped = np.where(
        repeat, np.log(a) - np.log(b + safe_x - 1.0) - (r + x) * np.log(alpha + recency), -np.inf
    )
    return shared, alive, dropped


def bgnbd_log_likelihood(
    params: BGNBDParams, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """Per-customer log-likelihood of the BG/NBD model (FHL 2005, eq. 6), in log space."""
    x, tx, age = _as_float_arrays(frequency, recency, T)
    shared, alive, dropped = _bgnbd_terms(params, x, tx, age)
    return shared + np.logaddexp(alive, dropped)


class _BGNBDObjective:
    """Mean negative log-likelihood and its gradient in log-parameters.

    The gamma-function terms depend on a customer only through ``frequency``, which takes few distinct
    values, so they are computed once per distinct value and gathered: fitting a million customers is
    dominated by a handful of vector logs per evaluation.
    """

    def __init__(self, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> None:
        self.xu, self.inverse = np.unique(frequency, return_inverse=True)
        self.x = frequency
        self.recency = recency
        self.T = T
        self.repeat = frequency > 0
        self.repeat_u = self.xu > 0
        self.n = frequency.size

    def __call__(self, theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = np.exp(theta)
        xu, inv, x = self.xu, self.inverse, self.x
        safe_xu = np.where(self.repeat_u, xu, 1.0)

        shared_u = gammaln(r + xu) - gammaln(r) + gammaln(a + b) + gammaln(b + xu) - gammaln(b)
        shared_u -= gammaln(a + b + xu)
        drop_u = np.where(self.repeat_u, np.log(a) - np.log(b + safe_xu - 1.0), -np.inf)
        log_alpha_t = np.log(alpha + self.T)
        log_alpha_tx = np.log(alpha + self.recency)
        alive = -(r + x) * log_alpha_t
        dropped = drop_u[inv] - (r + x) * log_alpha_tx
        mix = np.logaddexp(alive, dropped)
        ll = shared_u[inv] + r * np.log(alpha) + mix
        w_alive = np.exp(alive - mix)
        w_dropped = np.exp(dropped - mix)  # 0 where frequency is 0

        d_r_u = digamma(r + xu) - digamma(r)
        d_ab_u = digamma(a + b) - digamma(a + b + xu)
        d_b_u = d_ab_u + digamma(b + xu) - digamma(b)
        inv_b_u = np.where(self.repeat_u, 1.0 / (b + safe_xu - 1.0), 0.0)
        grad_r = d_r_u[inv] + np.log(alpha) - w_alive * log_alpha_t - w_dropped * log_alpha_tx
        grad_alpha = r / alpha - (r + x) * (w_alive / (alpha + self.T) + w_dropped / (alpha + self.recency))
        grad_a = d_ab_u[inv] + w_dropped / a
        grad_b = d_b_u[inv] - w_dropped * inv_b_u[inv]
        grad = np.array([grad_r.sum() * r, grad_alpha.sum() * alpha, grad_a.sum() * a, grad_b.sum() * b])
        return -float(ll.sum()) / self.n, -grad / self.n


def _minimise(
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


def fit_bgnbd(frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> BGNBDParams:
    """Maximum-likelihood BG/NBD parameters for the customers given (one tenant's)."""
    x, tx, age = _as_float_arrays(frequency, recency, T)
    x, tx, age = x.ravel(), tx.ravel(), age.ravel()
    _check_rft(x, tx, age)
    if not np.any(x > 0):
        raise NotEnoughData(reason="no customer has bought twice")
    # α is a time scale: fit on times scaled to a mean age of 1 so the optimiser sees similar magnitudes
    # whether the data is in days or weeks, then scale α back.
    scale = float(age.mean()) or 1.0
    objective = _BGNBDObjective(x, tx / scale, age / scale)
    start = np.zeros(4)
    shape, scale_bound = (_LOG_LOWER, _LOG_SHAPE_UPPER), (_LOG_LOWER, _LOG_SCALE_UPPER)
    bounds = [shape, scale_bound, shape, shape]
    r, alpha, a, b = np.exp(_minimise(objective, start, bounds, "BG/NBD"))
    return BGNBDParams(r=float(r), alpha=float(alpha) * scale, a=float(a), b=float(b))


def probability_alive(
    params: BGNBDParams, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """P(still active at T | x, t_x, T) (Fader, Hardie & Lee, "Computing P(alive)", 2008).

    1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)); a customer who never came back is alive
    with probability 1 under BG/NBD (drop-out can only happen right after a purchase).
    """
    x, tx, age = _as_float_arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    log_odds_dead = (
        np.log(a) - np.log(b + safe_x - 1.0) + (r + x) * (np.log(alpha + age) - np.log(alpha + tx))
    )
    return np.where(repeat, expit(-log_odds_dead), 1.0)


def _nudged_a(a: float) -> float:
    # The closed form divides by a-1; at a = 1 it is a removable singularity, and a step of 1e-6 changes
    # the answer by about one part in a million.
    if abs(a - 1.0) < 1e-6:
        return 1.0 + (1e-6 if a >= 1.0 else -1e-6)
    return a


def _purchases_bracket(r: float, b: float, a: float, x: FloatArray, z: FloatArray) -> FloatArray:
    """1 - (1-z)^(r+x) ₂F₁(r+x, b+x; a+b+x-1; z), element by element."""
    c = a + b + x - 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        bracket = 1.0 - (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    # With large a and b (almost nobody drops out) the transformed form overflows where the paper's own
    # form does not; use that one there.
    broken = ~np.isfinite(bracket)
    if np.any(broken):
        zb, xb = z[broken], x[broken]
        bracket[broken] = 1.0 - (1.0 - zb) ** (r + xb) * hyp2f1(r + xb, b + xb, c[broken], zb)
    return np.asarray(bracket, dtype=np.float64)


def expected_purchases(
    params: BGNBDParams,
    t: float | npt.ArrayLike,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
) -> FloatArray:
    """Expected number of purchases in the next ``t`` time units given (x, t_x, T) (FHL 2005, eq. 10).

    E[Y(t)] = P(alive) · (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x-1; z)],
    z = t/(α+T+t). Euler's transformation turns the bracket into 1 - (1-z)^(a-1) ₂F₁(a+b-1-r, a-1;
    a+b+x-1; z), whose parameters stay small for frequent buyers, so nothing overflows.
    """
    horizon, x, tx, age = _as_float_arrays(t, frequency, recency, T)
    r, alpha, b = params.r, params.alpha, params.b
    a = _nudged_a(params.a)
    z = horizon / (alpha + age + horizon)
    # ₂F₁ is the costly part and depends only on (x, z); customers summarised in whole days share few
    # such pairs, so evaluate it once per distinct pair.
    pairs, inverse = np.unique((x + 1j * z).ravel(), return_inverse=True)
    bracket = _purchases_bracket(r, b, a, pairs.real, pairs.imag)[inverse].reshape(x.shape)
    alive = probability_alive(BGNBDParams(r, alpha, a, b), x, tx, age)
    return np.asarray(alive * (a + b + x - 1.0) / (a - 1.0) * bracket, dtype=np.float64)


def unconditional_expected_purchases(params: BGNBDParams, t: float | npt.ArrayLike) -> FloatArray:
    """E[X(t)] for a customer just acquired (FHL 2005, eq. 9): the conditional form at x = t_x = T = 0."""
    horizon = np.asarray(t, dtype=np.float64)
    r, alpha, b = params.r, params.alpha, params.b
    a = _nudged_a(params.a)
    bracket = 1.0 - (alpha / (alpha + horizon)) ** r * hyp2f1(r, b, a + b - 1.0, horizon / (alpha + horizon))
    return np.asarray((a + b - 1.0) / (a - 1.0) * bracket, dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# Gamma-Gamma


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """Per-customer log-likelihood of the mean spend z̄ of x ≥ 1 repeat purchases (Hardie's note, eq. 3)."""
    x, m = _as_float_arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    return np.asarray(
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1.0) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + x * m),
        dtype=np.float64,
    )


class _GammaGammaObjective:
    def __init__(self, frequency: FloatArray, monetary: FloatArray) -> None:
        self.x = frequency
        self.log_xm = np.log(frequency) + np.log(monetary)
        self.xm = frequency * monetary
        self.n = frequency.size

    def __call__(self, theta: FloatArray) -> tuple[float, FloatArray]:
        p, q, v = np.exp(theta)
        x = self.x
        px = p * x
        log_vxm = np.log(v + self.xm)
        ll = (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(v)
            + px * self.log_xm
            - np.log(self.xm / x)
            - (px + q) * log_vxm
        )
        psi_pxq = digamma(px + q)
        grad_p = x * (psi_pxq - digamma(px) + self.log_xm - log_vxm)
        grad_q = psi_pxq - digamma(q) + np.log(v) - log_vxm
        grad_v = q / v - (px + q) / (v + self.xm)
        grad = np.array([grad_p.sum() * p, grad_q.sum() * q, grad_v.sum() * v])
        return -float(ll.sum()) / self.n, -grad / self.n


def fit_gamma_gamma(frequency: npt.ArrayLike, monetary: npt.ArrayLike) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters on the customers with repeat purchases.

    Customers without a repeat purchase, or whose repeat purchases are worth nothing (or less, after
    refunds), carry no information about spend per purchase under the model and are left out, as the
    paper fits only the repeat buyers.
    """
    x, m = _as_float_arrays(frequency, monetary)
    x, m = x.ravel(), m.ravel()
    if np.any(~np.isfinite(m)):
        raise ValueError("monetary values must be finite")
    keep = (x > 0) & (m > 0)
    if np.count_nonzero(keep) < 2:
        raise NotEnoughData(reason="fewer than two customers with a paid repeat purchase")
    x, m = x[keep], m[keep]
    # v is in money units (rials run to millions): fit on spend scaled to a mean of 1, scale v back.
    scale = float(m.mean())
    objective = _GammaGammaObjective(x, m / scale)
    start = np.array([0.0, np.log(2.0), 0.0])
    bounds = [
        (_LOG_LOWER, _LOG_SHAPE_UPPER),
        (_LOG_Q_LOWER, _LOG_SHAPE_UPPER),
        (_LOG_LOWER, _LOG_SCALE_UPPER),
    ]
    p, q, v = np.exp(_minimise(objective, start, bounds, "Gamma-Gamma"))
    return GammaGammaParams(p=float(p), q=float(q), v=float(v) * scale)


def expected_average_value(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """E[spend per purchase | x, z̄] = (p·(v + x·z̄)) / (p·x + q - 1).

    A weighted mean of the population mean p·v/(q-1) and the customer's own z̄, with more weight on z̄
    the more repeat purchases they made; a customer with none gets the population mean.
    """
    x, m = _as_float_arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    if q <= 1.0:
        raise ValueError("q must exceed 1 for the expected spend to be finite")
    m = np.where(x > 0, np.maximum(m, 0.0), 0.0)
    return np.asarray(p * (v + x * m) / (p * x + q - 1.0), dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# Value


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
    x, tx, age, m = _as_float_arrays(frequency, recency, T, monetary)
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
