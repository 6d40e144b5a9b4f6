"""COLEP with your own model: the whole recipe on scikit-learn's handwritten digits.

1. Train the sensors with Gaussian noise augmentation (the main model: a softmax regression
   over the ten digits; one logistic regression per stroke concept), as randomized smoothing
   asks (Cohen, Rosenfeld, Kolter, ICML 2019).
2. State the knowledge as a rules file (which digit has which concept).
3. Smooth the calibration and test splits with `surety_colep.Smoother` and write the files
   `colep certify` reads (COLEP, Kang et al., ICLR 2024).
4. Attack the test split with an ℓ2 PGD of our own (NumPy gradients of the logistic models,
   averaged over noisy copies, radius ε) and write the attacked split through the helper,
   which refuses any perturbation beyond ε.

Run by run.sh, which then calls colep on the files. Usage:

    python train_and_smooth.py --out DIR [--sigma 0.25] [--draws 1000] [--eps 0.1] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from surety_colep import Rule, Smoother, Variables, read_rules, write_rules

# The knowledge, as a researcher would write it down: the stroke features of each digit
# (the same as Examples/colep-digits/digits.rules), grouped into two circuits.
CONCEPTS = {
    "loop": ("shape", [0, 6, 8, 9]),
    "vertical": ("strokes", [1, 4, 7]),
    "topbar": ("strokes", [5, 7]),
    "roundbottom": ("shape", [0, 3, 5, 6, 8, 9]),
    "diagonal": ("strokes", [2, 7]),
}
CLASSES = [f"d{k}" for k in range(10)]


def write_knowledge(path: str) -> Variables:
    """Writes the rules file — one rule `dK => concept  w=1.5  pc=circuit` per (digit, concept)
    — and reads its variables back: names, declaration order and the digit → concept table."""
    variables = Variables.from_names(CLASSES, list(CONCEPTS))
    rules = [Rule(CLASSES[k], concept, 1.5, circuit) for concept, (circuit, digits) in CONCEPTS.items() for k in digits]
    write_rules(path, variables, rules)
    return read_rules(path)


class DigitSensors:
    """The learning component: class probabilities then concept probabilities, as the
    Smoother expects (`f(batch) -> (batch, 10 + 5)`)."""

    def __init__(self, main: LogisticRegression, concepts: list, concept_table: np.ndarray):
        self.main, self.concepts, self.table = main, concepts, concept_table
        # Gradients below use the linear models' weights directly.
        self.class_weights = main.coef_                                   # (10, 64)
        self.concept_weights = np.vstack([c.coef_[0] for c in concepts])  # (5, 64)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.hstack([self.main.predict_proba(x)] + [c.predict_proba(x)[:, 1:] for c in self.concepts])

    def loss_gradient(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∇ₓ of the attack's loss: the main model's cross-entropy on the true digit plus
        each concept sensor's cross-entropy against the true digit's concepts."""
        p = self.main.predict_proba(x)
        p[np.arange(len(y)), y] -= 1
        q = np.column_stack([c.predict_proba(x)[:, 1] for c in self.concepts]) - self.table[y]
        return p @ self.class_weights + q @ self.concept_weights


def pgd(sensors: DigitSensors, eps: float, sigma: float, steps: int = 20, copies: int = 8, seed: int = 0):
    """An ℓ2 PGD attack of radius ε on the smoothed sensors: each step ascends the loss
    gradient averaged over `copies` noisy inputs x + N(0, σ²I) (expectation over
    transformation), normalised, with step 2.5 ε / steps, then projects onto the ε-ball."""
    rng = np.random.default_rng(seed)

    def attack(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        adv = x.copy()
        for _ in range(steps):
            noisy = np.repeat(adv, copies, axis=0) + sigma * rng.standard_normal((len(adv) * copies, adv.shape[1]))
            grad = sensors.loss_gradient(noisy, np.repeat(y, copies)).reshape(len(adv), copies, -1).mean(axis=1)
            grad /= np.maximum(np.linalg.norm(grad, axis=1, keepdims=True), 1e-12)
            adv = adv + 2.5 * eps / steps * grad
            delta = adv - x
            adv = x + delta * np.minimum(1.0, eps / np.maximum(np.linalg.norm(delta, axis=1, keepdims=True), 1e-300))
        return adv

    return attack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for the rules file and the splits")
    parser.add_argument("--sigma", type=float, default=0.25, help="noise σ for training and smoothing (colep --sigma)")
    parser.add_argument("--draws", type=int, default=1000, help="noise draws N per sample (colep --mc-samples)")
    parser.add_argument("--eps", type=float, default=0.1, help="ℓ2 radius of the PGD attack (colep --eps)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the split, the training noise and the smoothing")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rules = os.path.join(args.out, "digits-own.rules")
    variables = write_knowledge(rules)
    table = np.array(variables.concept_table(), dtype=float)

    digits = load_digits()
    x, y = digits.data / 16.0, digits.target                 # pixels 0…16 scaled to [0, 1]
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(y))
    train, cal, test = np.split(order, [len(y) * 3 // 5, len(y) * 4 // 5])

    # 1. Noise augmentation: eight noisy copies of each training image.
    x_aug = np.repeat(x[train], 8, axis=0)
    x_aug += args.sigma * rng.standard_normal(x_aug.shape)
    y_aug = np.repeat(y[train], 8)
    print(f"training 10 class and {len(CONCEPTS)} concept sensors on {len(train)} images × 8 noisy copies (σ = {args.sigma})",
          file=sys.stderr)
    main_model = LogisticRegression(max_iter=3000).fit(x_aug, y_aug)
    concept_models = [LogisticRegression(max_iter=3000).fit(x_aug, table[y_aug, l].astype(int)) for l in range(len(CONCEPTS))]
    sensors = DigitSensors(main_model, concept_models, table)

    # 3. Smoothed estimates: calibration and test from one smoother (same σ, same N).
    smoother = Smoother(sensors, variables, sigma=args.sigma, draws=args.draws, seed=args.seed)
    smoother.write(os.path.join(args.out, "cal.csv"), x[cal], y[cal])
    test_votes = smoother.write(os.path.join(args.out, "test.csv"), x[test], y[test])

    # 4. The attacked test split: same images, same labels, fresh noise.
    attacked = smoother.write_attacked(os.path.join(args.out, "attacked.csv"), x[test], y[test],
                                       pgd(sensors, args.eps, args.sigma, seed=args.seed), eps=args.eps)
    attacked_votes = np.loadtxt(os.path.join(args.out, "attacked.csv"), delimiter=",", skiprows=1,
                                usecols=range(1, 11), dtype=int)
    print(f"smoothed main model, accuracy (most votes): clean {np.mean(test_votes[:, :10].argmax(1) == y[test]):.4f}, "
          f"under PGD (ε = {args.eps}) {np.mean(attacked_votes.argmax(1) == y[test]):.4f}; "
          f"largest perturbation ‖δ‖₂ = {np.linalg.norm(attacked - x[test], axis=1).max():.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
