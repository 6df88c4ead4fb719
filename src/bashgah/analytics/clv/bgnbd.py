"""BG/NBD: how many purchases a customer will make and the probability they are still active."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, expit, gammaln, hyp2f1

from bashgah.analytics.clv.common import (
    LOG_LOWER,
    LOG_SCALE_UPPER,
    LOG_SHAPE_UPPER,
    BGNBDParams,
    FloatArray,
    NotEnoughData,
    as_float_arrays,
    check_rft,
    minimise,
)


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
    x, tx, age = as_float_arrays(frequency, recency, T)
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


def fit_bgnbd(frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> BGNBDParams:
    """Maximum-likelihood BG/NBD parameters for the customers given (one tenant's)."""
    x, tx, age = as_float_arrays(frequency, recency, T)
    x, tx, age = x.ravel(), tx.ravel(), age.ravel()
    check_rft(x, tx, age)
    if not np.any(x > 0):
        raise NotEnoughData(reason="no customer has bought twice")
    # α is a time scale: fit on times scaled to a mean age of 1 so the optimiser sees similar magnitudes
    # whether the data is in days or weeks, then scale α back.
    scale = float(age.mean()) or 1.0
    objective = _BGNBDObjective(x, tx / scale, age / scale)
    start = np.zeros(4)
    shape, scale_bound = (LOG_LOWER, LOG_SHAPE_UPPER), (LOG_LOWER, LOG_SCALE_UPPER)
    bounds = [shape, scale_bound, shape, shape]
    r, alpha, a, b = np.exp(minimise(objective, start, bounds, "BG/NBD"))
    return BGNBDParams(r=float(r), alpha=float(alpha) * scale, a=float(a), b=float(b))


def probability_alive(
    params: BGNBDParams, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """P(still active at T | x, t_x, T) (Fader, Hardie & Lee, "Computing P(alive)", 2008).

    1 / (1 + [x > 0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)); a customer who never came back is alive
    with probability 1 under BG/NBD (drop-out can only happen right after a purchase).
    """
    x, tx, age = as_float_arrays(frequency, recency, T)
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
    horizon, x, tx, age = as_float_arrays(t, frequency, recency, T)
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
