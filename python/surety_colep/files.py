"""Writing one split (calibration or test) in the layouts ``colep`` reads.

The layouts are those of ``SensorSplit.readCSV`` / ``readNPY`` in
``Sources/COLEP/SensorSplit+CSV.swift``:

* **CSV** — a header ``label,<variable>,…`` with one column per variable of the rules file
  (written here in declaration order); then one row per sample: the class *name*, then each
  sensor's estimate — an integer vote count ``0…N`` (``kind="votes"``) or a mean probability
  in ``[0, 1]`` (``kind="mean"``, written with ``repr`` so it reads back bit for bit).
* **NPY** (a path ending in ``.npy``) — a little-endian float64 array of shape
  ``(samples, 1 + variables)``: the class *index* (declaration order of the classes), then
  every variable's estimate in the rules file's declaration order.

``colep`` learns N from ``--mc-samples N``, not from the file: pass the N (and ``--sigma``)
the estimates were made with.
"""

from __future__ import annotations

import os
from typing import Union

import numpy as np

from ._atomic import write_atomically
from .rules import Variables

__all__ = ["write_split", "KINDS"]

KINDS = ("votes", "mean")


def _check_estimates(estimates: np.ndarray, variables: Variables, kind: str, draws) -> np.ndarray:
    names = variables.names
    if estimates.ndim != 2 or estimates.shape[1] != len(names):
        raise ValueError(f"estimates of shape {estimates.shape}: expected (samples, {len(names)}), one column per variable "
                         f"({', '.join(names)})")
    if estimates.shape[0] == 0:
        raise ValueError("no samples: colep needs at least one row per split")
    values = estimates.astype(np.float64)
    if kind == "votes":
        if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
            raise ValueError(f"draws = {draws!r}: vote counts need the number N ≥ 1 of noise draws behind them")
        bad = ~(np.isfinite(values) & (values >= 0) & (values <= draws) & (values == np.round(values)))
        expected = f"an integer vote count in 0..{int(draws)}"
    else:
        bad = ~((values >= 0) & (values <= 1))          # also catches NaN
        expected = "a mean probability in [0, 1]"
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"sample {i}, column {names[j]!r}: {estimates[i, j]} is not {expected}")
    return values


def write_split(path: Union[str, os.PathLike], estimates, labels, variables: Variables, *,
                kind: str = "votes", draws: Union[int, None] = None) -> None:
    """Writes one split for ``colep certify/predict --calibration … --test …``, atomically.

    Args:
        path: the file; NPY when it ends in ``.npy`` (any case), else CSV — the same rule
            ``colep`` reads by.
        estimates: ``(samples, variables)`` in ``variables.names`` order: vote counts out of
            ``draws`` or mean probabilities.
        labels: each sample's class, as an index into ``variables.classes`` or a class name.
        variables: the rules file's variables (``read_rules``).
        kind: ``"votes"`` or ``"mean"`` — what ``colep --kind`` will be told.
        draws: N, required for votes (to check the counts).

    Raises:
        ValueError: for a shape mismatch, a count outside ``0..N`` or not an integer, a mean
            outside ``[0, 1]`` or NaN (naming sample and column), or a label that is not a class.
    """
    if kind not in KINDS:
        raise ValueError(f"kind = {kind!r}: expected 'votes' or 'mean'")
    estimates = np.asarray(estimates)
    values = _check_estimates(estimates, variables, kind, draws)
    labels = list(labels)
    if len(labels) != values.shape[0]:
        raise ValueError(f"{len(labels)} labels for {values.shape[0]} samples: expected one label per sample")
    indices = variables.class_indices(labels)
    if os.fspath(path).lower().endswith(".npy"):
        array = np.empty((values.shape[0], 1 + values.shape[1]), dtype="<f8")
        array[:, 0] = indices
        array[:, 1:] = values
        write_atomically(path, lambda handle: np.save(handle, array, allow_pickle=False))
        return
    classes = variables.classes
    if kind == "votes":
        cells = [[str(int(v)) for v in row] for row in values]
    else:
        cells = [[repr(float(v)) for v in row] for row in values]
    lines = ["label," + ",".join(variables.names)]
    lines += [classes[k] + "," + ",".join(row) for k, row in zip(indices, cells)]
    write_atomically(path, lambda handle: handle.write("\n".join(lines) + "\n"), mode="w")
