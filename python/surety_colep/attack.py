"""Applying a user's attack in batches, refusing any perturbation beyond the stated radius.

COLEP's certificate (Kang et al., ICLR 2024) covers test inputs ``x + η`` with ``‖η‖₂ ≤ ε``.
An empirical check of it — coverage of ``colep predict`` on attacked inputs — only means
something when every attacked input is within that ball, so this module measures each
perturbation and stops at the first one that is not.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["apply_attack", "RELATIVE_TOLERANCE"]

#: An attacked input may exceed ε by this fraction of ε (float64 roundoff of a projection).
RELATIVE_TOLERANCE = 1e-9


def _l2_norms(rows: np.ndarray) -> np.ndarray:
    """ℓ2 norm of each row, scaled by the row's largest entry so that tiny or huge
    perturbations neither underflow to 0 nor overflow to ∞."""
    scale = np.abs(rows).max(axis=1, initial=0.0)
    safe = np.where(scale > 0, scale, 1.0)
    scaled = rows / safe[:, None]
    return scale * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))


def apply_attack(attack: Callable, x, labels, eps: float, *, batch_size: int = 256) -> np.ndarray:
    """Returns ``attack(x_batch, y_batch)`` over all of ``x``, batch by batch, after checking
    that each sample moved by at most ``eps`` in ℓ2.

    Args:
        attack: ``attack(x_batch, y_batch) -> x_adv_batch`` with ``y_batch`` the class indices
            (int64) of the batch; it must return an array of the batch's shape.
        x: inputs ``(samples, …)``; the ℓ2 norm is over all of a sample's entries.
        labels: class indices, one per sample.
        eps: the radius ε ≥ 0 the certificate is stated for.
        batch_size: samples per call of ``attack``.

    Raises:
        ValueError: for ε < 0 or not finite, a batch of the wrong shape or with NaN/∞, or —
            naming the sample index and its norm — a perturbation with
            ``‖x_adv − x‖₂ > ε·(1 + 1e-9)``.
    """
    eps = float(eps)
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"ε = {eps!r}: the attack radius must be a finite number ≥ 0")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size = {batch_size!r}: expected an integer ≥ 1")
    x = np.asarray(x)
    y = np.asarray(labels, dtype=np.int64)
    if x.ndim < 1 or y.shape != (x.shape[0],):
        raise ValueError(f"{y.shape[0] if y.ndim == 1 else y.shape} labels for inputs of shape {x.shape}: expected one label per sample")
    limit = eps * (1 + RELATIVE_TOLERANCE)
    out = []
    for start in range(0, x.shape[0], batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        xa = np.asarray(attack(xb.copy(), yb.copy()))
        if xa.shape != xb.shape:
            raise ValueError(f"the attack returned shape {xa.shape} for a batch of shape {xb.shape} (samples {start}.."
                             f"{start + len(xb) - 1}): it must return one attacked input per input, of the same shape")
        if not np.all(np.isfinite(xa)):
            i = start + int(np.argwhere(~np.isfinite(xa.reshape(len(xa), -1)))[0, 0])
            raise ValueError(f"the attack returned NaN or ∞ for sample {i}")
        delta = xa.astype(np.float64).reshape(len(xa), -1) - xb.astype(np.float64).reshape(len(xb), -1)
        norms = _l2_norms(delta)
        over = np.flatnonzero(~(norms <= limit))
        if over.size:
            k = int(over[0])
            raise ValueError(f"sample {start + k}: the attack moved the input by ‖x_adv − x‖₂ = {norms[k]:.17g} > ε = {eps!r} "
                             f"(tolerance {RELATIVE_TOLERANCE:g} relative); project each perturbation onto the ε-ball "
                             "(in float32, onto a slightly smaller ball) before returning it")
        out.append(xa)
    return np.concatenate(out, axis=0) if out else x.copy()
