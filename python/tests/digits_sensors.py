"""Class and concept sensors for scikit-learn's handwritten digits, trained with Gaussian
noise augmentation (Cohen et al. 2019) so that their smoothed versions are accurate; the
concepts are those of Examples/colep-digits/digits.rules. Used by the end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from helpers import DIGITS_RULES
from surety_colep import read_rules


@dataclass
class DigitsSensors:
    variables: object
    main: LogisticRegression
    concepts: list
    x_cal: np.ndarray
    y_cal: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sigma: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, then one probability per concept (rules-file order)."""
        return np.hstack([self.main.predict_proba(x)] + [c.predict_proba(x)[:, 1:] for c in self.concepts])

    def pgd(self, eps: float, steps: int = 10):
        """An ℓ2 PGD attack on the unsmoothed linear sensors: ascend the cross-entropy of the
        true class plus the concepts' cross-entropies against the true class's concepts."""
        table = np.array(self.variables.concept_table(), dtype=float)

        def attack(xb, yb):
            adv = xb.copy()
            for _ in range(steps):
                p = self.main.predict_proba(adv)
                p[np.arange(len(yb)), yb] -= 1
                grad = p @ self.main.coef_
                for l, c in enumerate(self.concepts):
                    q = c.predict_proba(adv)[:, 1] - table[yb, l]
                    grad += q[:, None] * c.coef_[0]
                grad /= np.maximum(np.linalg.norm(grad, axis=1, keepdims=True), 1e-12)
                adv = adv + 2.5 * eps / steps * grad
                delta = adv - xb
                norms = np.linalg.norm(delta, axis=1, keepdims=True)
                adv = xb + delta * np.minimum(1, eps / np.maximum(norms, 1e-300))
            return adv
        return attack


def train(sigma: float = 0.25, seed: int = 0, copies: int = 4) -> DigitsSensors:
    variables = read_rules(DIGITS_RULES)
    digits = load_digits()
    x, y = digits.data / 16.0, digits.target
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    train_end, cal_end = len(y) * 3 // 5, len(y) * 4 // 5
    tr, cal, te = order[:train_end], order[train_end:cal_end], order[cal_end:]
    # Noise augmentation: several noisy copies of every training image.
    x_aug = np.repeat(x[tr], copies, axis=0)
    x_aug = x_aug + sigma * rng.standard_normal(x_aug.shape)
    y_aug = np.repeat(y[tr], copies)
    main = LogisticRegression(max_iter=2000, C=1.0).fit(x_aug, y_aug)
    table = np.array(variables.concept_table())
    concepts = [LogisticRegression(max_iter=2000, C=1.0).fit(x_aug, table[y_aug, l]) for l in range(table.shape[1])]
    return DigitsSensors(variables, main, concepts, x[cal], y[cal], x[te], y[te], sigma)
