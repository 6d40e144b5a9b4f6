"""Split-conformal classification against MAPIE and crepes on the same arrays.

10 classes, n_cal = n_test = 100 000 (defaults), probabilities from a softmax of Gaussian
logits, labels drawn from those probabilities (seed 2026). Times calibrate + predict, best of
5, and checks that the prediction sets are identical to Surety's, for LAC, deterministic APS
(MAPIE's "aps" with include_last_label=False; MAPIE randomizes the calibration scores anyway,
so these sets differ by design) and randomized APS (include_last_label="randomized", with
MAPIE's uniforms passed to the Swift side). crepes has no APS; it is timed on LAC only, with
its hinge score, in one run. Coverage and mean set size of both sides are printed too.

    cd Benchmarks
    swift build -c release --product conformal-bench
    python3 conformal_peers.py [--n 100000]
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np


SEED = 2026


def best_of(f, runs=5):
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


class Lookup:
    """A prefit 'estimator' whose predict_proba returns precomputed rows: X holds row indices."""
    def __init__(self, probs):
        self.probs = probs
        self.classes_ = np.arange(probs.shape[1])
        self.__sklearn_is_fitted__ = lambda: True

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.probs[np.asarray(X).ravel().astype(int)]

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    n, k, alpha = args.n, 10, 0.1
    rng = np.random.default_rng(2026)
    logits = rng.normal(size=(2 * n, k)) * 2.0
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    labels = (rng.random((2 * n, 1)) > probs.cumsum(axis=1)).sum(axis=1)
    cal_p, test_p, cal_y, test_y = probs[:n], probs[n:], labels[:n], labels[n:]

    with tempfile.TemporaryDirectory() as d:
        np.save(os.path.join(d, "cal_probs.npy"), cal_p)
        np.save(os.path.join(d, "cal_labels.npy"), cal_y.astype(np.int64))
        np.save(os.path.join(d, "test_probs.npy"), test_p)
        # MAPIE draws its APS uniforms from a fresh RandomState(SEED) at calibration and again at
        # prediction; Surety is given the same numbers.
        np.save(os.path.join(d, "cal_uniforms.npy"), np.random.RandomState(SEED).uniform(size=n))
        np.save(os.path.join(d, "test_uniforms.npy"), np.random.RandomState(SEED).uniform(size=n))
        binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".build", "release", "conformal-bench")
        out = subprocess.run([binary, d], check=True, capture_output=True, text=True).stdout
        surety_time = {line.split()[0]: float(line.split()[1]) for line in out.splitlines()}
        surety_sets = {s: np.load(os.path.join(d, f"surety_{s}_sets.npy")).astype(bool) for s in ("lac", "aps", "aps-randomized")}

    import mapie
    from mapie.classification import SplitConformalClassifier
    rows, extras = [], []
    # MAPIE's "aps" always randomizes its calibration scores; include_last_label=False then
    # applies that threshold to deterministic test scores, a mixture Surety does not offer, so
    # the sets cannot match Surety's deterministic APS. "randomized" is the consistent rule.
    for name, score, last in (("lac", "lac", None), ("aps", "aps", False), ("aps-randomized", "aps", "randomized")):
        def run():
            model = SplitConformalClassifier(estimator=Lookup(probs), confidence_level=1 - alpha, conformity_score=score,
                                             prefit=True, random_state=SEED)
            model.conformalize(np.arange(n).reshape(-1, 1), cal_y)
            params = {"include_last_label": last} if last is not None else None
            _, sets = model.predict_set(np.arange(n, 2 * n).reshape(-1, 1), conformity_score_params=params)
            return sets[:, :, 0]
        t, sets = best_of(run)
        same = np.array_equal(sets, surety_sets[name])
        rows.append((f"MAPIE {mapie.__version__}", name, t, surety_time[name], same, (sets != surety_sets[name]).any(axis=1).sum()))
        coverage = {"peer": sets[np.arange(n), test_y].mean(), "Surety": surety_sets[name][np.arange(n), test_y].mean()}
        size = {"peer": sets.sum(axis=1).mean(), "Surety": surety_sets[name].sum(axis=1).mean()}
        extras.append(f"{name:15s} coverage MAPIE {coverage['peer']:.4f} Surety {coverage['Surety']:.4f};  mean size MAPIE {size['peer']:.4f} Surety {size['Surety']:.4f}")

    import crepes
    from crepes import ConformalClassifier
    from crepes.extras import hinge
    def run_crepes():
        cc = ConformalClassifier()
        cc.fit(hinge(cal_p, np.arange(k), cal_y))
        return cc.predict_set(hinge(test_p), confidence=1 - alpha, smoothing=False).astype(bool)
    t, sets = best_of(run_crepes, runs=1)  # over a minute per run at n = 100 000
    rows.append((f"crepes {crepes.__version__}", "lac", t, surety_time["lac"], np.array_equal(sets, surety_sets["lac"]),
                 (sets != surety_sets["lac"]).any(axis=1).sum()))

    print(f"10 classes, n_cal = n_test = {n}, alpha = {alpha}; best of 5 runs of calibrate + predict")
    print(f"{'peer':14s} {'score':15s} {'peer (s)':>9s} {'Surety (s)':>11s} {'speed-up':>9s}  identical sets")
    for peer, score, tp, ts, same, differing in rows:
        print(f"{peer:14s} {score:15s} {tp:9.4f} {ts:11.4f} {tp / ts:8.1f}x  {same} ({differing} samples differ)")
    print("test coverage and mean set size on the same test set:")
    for line in extras:
        print("  " + line)


if __name__ == "__main__":
    main()
