"""Monte-Carlo randomized smoothing of a user's sensors, for COLEP.

COLEP (Kang, Gürel, Li, Li, "COLEP: Certifiably Robust Learning-Reasoning Conformal
Prediction via Probabilistic Circuits", ICLR 2024) certifies its prediction sets through
*smoothed* sensors ``g_j(x) = E_{δ ~ N(0, σ²I)}[f_j(x + δ)]`` (randomized smoothing, Cohen,
Rosenfeld and Kolter, "Certified Adversarial Robustness via Randomized Smoothing", ICML
2019): ``Φ⁻¹(g_j)`` is 1/σ-Lipschitz in ℓ2, so an estimate of ``g_j(x)`` from N noisy copies
bounds ``g_j`` on the whole ε-ball. ``colep`` turns the estimates into Clopper–Pearson (votes)
or Hoeffding (means) boxes; this module makes the estimates from the user's own model.

The model is any function ``f(batch) -> (batch, N_c + L)`` of probabilities in ``[0, 1]``: a
PyTorch or JAX network is one wrapping line away, e.g.::

    f = torch.inference_mode()(lambda x: torch.cat([net(t := torch.as_tensor(x, dtype=torch.float32)).softmax(-1),
                                                    concept_net(t).sigmoid()], -1).numpy())
    f = lambda x: np.asarray(jnp.concatenate([jax.nn.softmax(apply(params, x)), jax.nn.sigmoid(apply_concepts(cparams, x))], -1))

Estimates per sample and variable:

* ``kind="votes"`` — hard votes counted over the N draws. A class sensor votes for the main
  model's predicted class, the argmax of the class columns (ties to the first;
  ``class_votes="threshold"`` instead lets each class column vote when its probability
  exceeds ½); a concept sensor votes when its probability exceeds ½.
* ``kind="mean"`` — the mean probability over the N draws.

Calibration and test must be smoothed with the same σ and N, and ``colep`` must be told
them (``--sigma``, ``--mc-samples``): clean, unsmoothed outputs as ``--kind mean`` void the
guarantee. This module always adds the noise, and refuses σ ≤ 0 and N < 1.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Callable, Optional, Sequence, Union

import numpy as np

from ._progress import Progress
from .attack import apply_attack
from .files import KINDS, write_split
from .rules import Variables, read_rules

__all__ = ["Smoother", "ConstantOutputWarning"]


def _is_positive_integer(value) -> bool:
    """Whether ``value`` is an integer ≥ 1 (an integral float counts; a bool does not)."""
    if isinstance(value, bool):
        return False
    try:
        return int(value) == value and value >= 1
    except (TypeError, ValueError, OverflowError):
        return False


class ConstantOutputWarning(RuntimeWarning):
    """The model returned bit-identical outputs for every noise draw of every sample of a
    batch: it ignores its input, or the noise does not reach it."""


class Smoother:
    """Smooths a model with Gaussian noise and writes the files ``colep`` reads.

    Configure once, then call ``estimates``, ``write`` (calibration or clean test split) and
    ``write_attacked`` (a test split under your own attack), in the scikit-learn manner.

    Args:
        model: ``f(batch) -> array (batch, N_c + L)`` of probabilities in ``[0, 1]``; ``batch``
            is a NumPy array of noisy inputs with the inputs' trailing shape and dtype (float64
            for non-float inputs).
        variables: the knowledge's variables — a ``Variables`` or the path of a rules file.
        sigma: the noise level σ > 0 (the one the sensors were trained with, and ``colep --sigma``).
        draws: N ≥ 1 noise draws per sample (``colep --mc-samples``).
        kind: ``"votes"`` or ``"mean"`` (``colep --kind``).
        columns: the variable name of each model output column; default: the classes then the
            concepts, each in the rules file's declaration order.
        class_votes: ``"argmax"`` (default: the main model's predicted class gets the vote) or
            ``"threshold"`` (each class column votes when above ½; for one-vs-rest class sensors).
        batch_size: noisy copies per model call (they may mix samples).
        seed: an int, a ``numpy.random.Generator``, or None for fresh OS entropy. The noise
            is one stream in (sample, draw) order, so results do not depend on ``batch_size``.
        quiet: no progress line on standard error.

    Raises:
        ValueError: for σ ≤ 0 or not finite, N < 1, an unknown kind or class-vote rule, or
            ``columns`` that are not a permutation of the variables.
    """

    def __init__(self, model: Callable, variables: Union[Variables, str, os.PathLike], *, sigma: float, draws: int,
                 kind: str = "votes", columns: Optional[Sequence[str]] = None, class_votes: str = "argmax",
                 batch_size: int = 4096, seed: Union[int, np.random.Generator, None] = None, quiet: bool = False):
        if not callable(model):
            raise ValueError(f"model must be a function batch -> probabilities, not {type(model).__name__}")
        if not isinstance(variables, Variables):
            variables = read_rules(variables)
        sigma = float(sigma)
        if not (math.isfinite(sigma) and sigma > 0):
            raise ValueError(f"σ = {sigma!r}: smoothing needs noise σ > 0 (the σ the sensors were trained with); "
                             "without noise the estimates certify nothing")
        if not _is_positive_integer(draws):
            raise ValueError(f"draws = {draws!r}: N must be an integer ≥ 1 (colep --mc-samples)")
        if kind not in KINDS:
            raise ValueError(f"kind = {kind!r}: expected 'votes' or 'mean'")
        if class_votes not in ("argmax", "threshold"):
            raise ValueError(f"class_votes = {class_votes!r}: expected 'argmax' or 'threshold'")
        if not _is_positive_integer(batch_size):
            raise ValueError(f"batch_size = {batch_size!r}: expected an integer ≥ 1")
        columns = list(variables.default_columns if columns is None else columns)
        if sorted(columns) != sorted(variables.names) or len(set(columns)) != len(columns):
            raise ValueError(f"columns {columns}: expected each variable of the rules exactly once ({', '.join(variables.names)})")
        self.model, self.variables = model, variables
        self.sigma, self.draws, self.kind = sigma, int(draws), kind
        self.columns, self.class_votes, self.batch_size, self.quiet = columns, class_votes, int(batch_size), quiet
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        position = {name: k for k, name in enumerate(columns)}
        # Model column feeding each variable, in declaration order.
        self._source = np.array([position[name] for name in variables.names])
        self._is_class = np.array([role == "class" for role in variables.roles])
        self._warned = False

    def colep_arguments(self) -> list:
        """The ``colep`` options that must match these estimates: kind, N and σ."""
        return ["--kind", self.kind, "--mc-samples", str(self.draws), "--sigma", repr(self.sigma)]

    def estimates(self, x, *, label: str = "smoothing") -> np.ndarray:
        """Smoothed estimates of every variable for every input.

        Args:
            x: inputs ``(samples, …)``.
            label: what the progress line calls this run.

        Returns:
            ``(samples, variables)`` in the rules file's declaration order: int64 vote counts
            in ``0..N`` or float64 means in ``[0, 1]``.

        Raises:
            ValueError: when the model's output is not ``(batch, N_c + L)``, or holds a value
                outside ``[0, 1]`` or NaN (naming the sample, the draw and the column).
        """
        x = np.asarray(x)
        if x.ndim < 1 or x.shape[0] == 0:
            raise ValueError(f"inputs of shape {x.shape}: expected (samples, …) with at least one sample")
        dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
        n, draws, width = x.shape[0], self.draws, len(self.columns)
        totals = np.zeros((n, width), dtype=np.int64 if self.kind == "votes" else np.float64)
        progress = Progress(label, n, draws, self.quiet)
        class_columns = np.flatnonzero(self._is_class)
        for start in range(0, n * draws, self.batch_size):
            stop = min(start + self.batch_size, n * draws)
            sample = np.arange(start, stop) // draws
            noise = self.rng.standard_normal((stop - start,) + x.shape[1:])
            noisy = (x[sample] + self.sigma * noise).astype(dtype, copy=False)
            p = self._probabilities(noisy, sample, start)
            if self.kind == "mean":
                contribution = p
            elif self.class_votes == "argmax":
                contribution = (p > 0.5) & ~self._is_class
                winner = class_columns[np.argmax(p[:, class_columns], axis=1)]
                contribution[np.arange(len(p)), winner] = True
            else:
                contribution = p > 0.5
            firsts = np.flatnonzero(np.r_[True, sample[1:] != sample[:-1]])
            totals[sample[firsts]] += np.add.reduceat(contribution.astype(totals.dtype), firsts, axis=0)
            self._check_noise_reaches_model(p, sample, firsts)
            progress.update(stop // draws)
        progress.finish()
        if self.kind == "mean":
            return np.clip(totals / draws, 0.0, 1.0)
        return totals

    def _probabilities(self, noisy: np.ndarray, sample: np.ndarray, start: int) -> np.ndarray:
        """Calls the model and checks its output; returns it in declaration order, float64."""
        out = self.model(noisy)
        try:
            p = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"the model returned {type(out).__name__}, not an array of probabilities ({error}); "
                             "convert framework tensors with e.g. .detach().cpu().numpy()") from None
        expected = (len(noisy), len(self.columns))
        if p.shape != expected:
            raise ValueError(f"the model returned shape {p.shape} for a batch of {len(noisy)} inputs: expected {expected}, "
                             f"one column per variable ({', '.join(self.columns)})")
        bad = ~((p >= 0) & (p <= 1))
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValueError(f"sample {sample[r]} (noise draw {(start + r) % self.draws}), column {self.columns[c]!r}: "
                             f"the model returned {p[r, c]}, not a probability in [0, 1]")
        return p[:, self._source]

    def _check_noise_reaches_model(self, p: np.ndarray, sample: np.ndarray, firsts: np.ndarray) -> None:
        """Warns (once per smoother) when every sample of the batch with two or more draws in
        it got bit-identical outputs on all of them."""
        if self._warned:
            return
        sizes = np.diff(np.r_[firsts, len(sample)])
        if not (sizes >= 2).any():
            return
        first_row = np.repeat(firsts, sizes)
        same = np.all(p == p[first_row], axis=1)
        constant = np.logical_and.reduceat(same, firsts)
        if constant[sizes >= 2].all():
            self._warned = True
            warnings.warn(
                f"the model's outputs were bit-identical across all noise draws of samples {sample[0]}..{sample[-1]}: "
                "it ignores its input, or the noise does not reach it (a cached or detached clean input, a wrapper that "
                "re-reads the data). Smoothing such a model certifies nothing about it. (Hard 0/1 or saturated outputs "
                "far from every decision boundary can also cause this.)", ConstantOutputWarning, stacklevel=3)

    def write(self, path: Union[str, os.PathLike], x, labels, *, label: Optional[str] = None) -> np.ndarray:
        """Smooths ``x`` and writes a calibration or test file (CSV, or NPY for ``.npy``).

        ``labels`` are class indices or class names. Returns the estimates written.

        Raises:
            ValueError: as ``estimates`` and ``write_split``; for a label count or value that
                does not fit (checked before any smoothing).
        """
        indices = self._labels(x, labels)
        estimates = self.estimates(x, label=label or os.path.basename(os.fspath(path)))
        write_split(path, estimates, indices, self.variables, kind=self.kind, draws=self.draws)
        return estimates

    def write_attacked(self, path: Union[str, os.PathLike], x, labels, attack: Callable, *, eps: float,
                       attack_batch_size: int = 256) -> np.ndarray:
        """Attacks ``x`` with the user's ``attack(x_batch, y_batch) -> x_adv_batch``, refuses any
        perturbation with ℓ2 norm above ``eps`` (beyond 1e-9 relative), smooths the attacked
        inputs with fresh noise and writes a test file, so that ``colep predict --calibration
        cal --test attacked …`` reports the empirical coverage under that attack.

        Returns:
            The attacked inputs.

        Raises:
            ValueError: naming the sample and its norm for a perturbation beyond ε; see
                ``apply_attack`` and ``write``.
        """
        indices = self._labels(x, labels)
        attacked = apply_attack(attack, x, indices, eps, batch_size=attack_batch_size)
        self.write(path, attacked, indices, label=f"{os.path.basename(os.fspath(path))} (attacked, ε = {eps})")
        return attacked

    def _labels(self, x, labels) -> list:
        n = np.shape(x)[0] if np.ndim(x) >= 1 else 0
        labels = list(labels)
        if len(labels) != n:
            raise ValueError(f"{len(labels)} labels for {n} inputs: expected one label per input")
        return self.variables.class_indices(labels)
