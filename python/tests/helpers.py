"""Models and exact probabilities shared by the tests (NumPy only)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from surety_colep import Variables

REPO = Path(__file__).resolve().parents[2]
DIGITS_RULES = REPO / "Examples" / "colep-digits" / "digits.rules"


def phi(z) -> np.ndarray:
    """Standard normal CDF, elementwise, without SciPy."""
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1 + np.vectorize(math.erf, otypes=[np.float64])(z / math.sqrt(2)))


class LinearModel:
    """A fixed linear softmax over the classes and one logistic sensor per concept:
    ``f(x) = [softmax(x U + c), sigmoid(x V + e)]``, columns classes then concepts."""

    def __init__(self, classes: int, concepts: int, dim: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.U, self.c = rng.normal(size=(dim, classes)), rng.normal(size=classes)
        self.V, self.e = rng.normal(size=(dim, concepts)), rng.normal(size=concepts)
        self.variables = Variables.from_names([f"c{k}" for k in range(classes)], [f"k{k}" for k in range(concepts)])
        self.calls = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        z = x @ self.U + self.c
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return np.hstack([z / z.sum(axis=1, keepdims=True), 1 / (1 + np.exp(-(x @ self.V + self.e)))])


def binomial_interval(n: int, p: float, false_alarm: float) -> "tuple[int, int]":
    """The central range [lo, hi] of Binomial(n, p) that a count falls outside of with
    probability at most ``false_alarm`` (at most half of it in each tail), from the exact
    probability mass function (log-gamma, summed in double precision)."""
    if p <= 0:
        return 0, 0
    if p >= 1:
        return n, n
    k = np.arange(n + 1)
    log_pmf = (np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
               + k * math.log(p) + (n - k) * math.log1p(-p))
    pmf = np.exp(log_pmf)
    lower_tail = np.cumsum(pmf)                  # P(X ≤ k)
    upper_tail = np.cumsum(pmf[::-1])[::-1]      # P(X ≥ k)
    # lo: the largest k with P(X < k) ≤ α/2; hi: the smallest k with P(X > k) ≤ α/2.
    below = np.r_[0.0, lower_tail[:-1]]
    lo = int(k[below <= false_alarm / 2].max())
    above = np.r_[upper_tail[1:], 0.0]
    hi = int(k[above <= false_alarm / 2].min())
    return lo, hi
