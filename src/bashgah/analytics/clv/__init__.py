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

The models live one a module (``bgnbd``, ``gamma_gamma``), with what they share in ``common``, the
summaries in ``summary`` and the value and the report's scores in ``scoring``. All functions are vectorised with numpy; the likelihoods are computed in log space.
"""

from __future__ import annotations

from bashgah.analytics.clv.bgnbd import (
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
    unconditional_expected_purchases,
)
from bashgah.analytics.clv.common import (
    BGNBDParams,
    CustomerSummary,
    GammaGammaParams,
    ModelFitError,
    NotEnoughData,
)
from bashgah.analytics.clv.gamma_gamma import (
    expected_average_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from bashgah.analytics.clv.scoring import ClvModels, clv_table, customer_value, fit_models, score
from bashgah.analytics.clv.summary import summarise, summarise_days

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
