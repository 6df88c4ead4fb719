"""Gamma-Gamma: the expected spend per purchase."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from bashgah.analytics.clv.common import (
    LOG_LOWER,
    LOG_Q_LOWER,
    LOG_SCALE_UPPER,
    LOG_SHAPE_UPPER,
    FloatArray,
    GammaGammaParams,
    NotEnoughData,
    as_float_arrays,
    minimise,
)


def gamma_gamma_log_likelihood(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """Per-customer log-likelihood of the mean spend z̄ of x ≥ 1 repeat purchases (Hardie's note, eq. 3)."""
    x, m = as_float_arrays(frequency, monetary)
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
    x, m = as_float_arrays(frequency, monetary)
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
        (LOG_LOWER, LOG_SHAPE_UPPER),
        (LOG_Q_LOWER, LOG_SHAPE_UPPER),
        (LOG_LOWER, LOG_SCALE_UPPER),
    ]
    p, q, v = np.exp(minimise(objective, start, bounds, "Gamma-Gamma"))
    return GammaGammaParams(p=float(p), q=float(q), v=float(v) * scale)


def expected_average_value(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """E[spend per purchase | x, z̄] = (p·(v + x·z̄)) / (p·x + q - 1).

    A weighted mean of the population mean p·v/(q-1) and the customer's own z̄, with more weight on z̄
    the more repeat purchases they made; a customer with none gets the population mean.
    """
    x, m = as_float_arrays(frequency, monetary)
    p, q, v = params.p, params.q, params.v
    if q <= 1.0:
        raise ValueError("q must exceed 1 for the expected spend to be finite")
    m = np.where(x > 0, np.maximum(m, 0.0), 0.0)
    return np.asarray(p * (v + x * m) / (p * x + q - 1.0), dtype=np.float64)
