"""Split-conformal classification against MAPIE and crepes on the same arrays.

10 classes, n_cal = n_test = 100 000 (defaults), probabilities from a softmax of Gaussian
logits, labels drawn from those probabilities (seed 2026). Times calibrate + predict for LAC
and deterministic APS (MAPIE's "aps" with include_last_label=False, the rule {y : S(y) ≤ q}; crepes has no APS, so
it is timed on LAC only, with its hinge score, in one run), best of 5, and checks that the prediction
sets are identical to Surety's.

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
    cal_p, test_p, cal_y = probs[:n], probs[n:], labels[:n]

    with tempfile.TemporaryDirectory() as d:
        np.save(os.path.join(d, "cal_probs.npy"), cal_p)
        np.save(os.path.join(d, "cal_labels.npy"), cal_y.astype(np.int64))
        np.save(os.path.join(d, "test_probs.npy"), test_p)
        binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".build", "release", "conformal-bench")
        out = subprocess.run([binary, d], check=True, capture_output=True, text=True).stdout
        surety_time = {line.split()[0]: float(line.split()[1]) for line in out.splitlines()}
        surety_sets = {s: np.load(os.path.join(d, f"surety_{s}_sets.npy")).astype(bool) for s in ("lac", "aps")}

    import mapie
    from mapie.classification import SplitConformalClassifier
    rows = []
    for score in ("lac", "aps"):
        def run():
            model = SplitConformalClassifier(estimator=Lookup(probs), confidence_level=1 - alpha, conformity_score=score, prefit=True)
            model.conformalize(np.arange(n).reshape(-1, 1), cal_y)
            params = {"include_last_label": False} if score == "aps" else None
            _, sets = model.predict_set(np.arange(n, 2 * n).reshape(-1, 1), conformity_score_params=params)
            return sets[:, :, 0]
        t, sets = best_of(run)
        same = np.array_equal(sets, surety_sets[score])
        rows.append((f"MAPIE {mapie.__version__}", score, t, surety_time[score], same, (sets != surety_sets[score]).any(axis=1).sum()))

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
    print(f"{'peer':14s} {'score':5s} {'peer (s)':>9s} {'Surety (s)':>11s} {'speed-up':>9s}  identical sets")
    for peer, score, tp, ts, same, differing in rows:
        print(f"{peer:14s} {score:5s} {tp:9.4f} {ts:11.4f} {tp / ts:8.1f}x  {same} ({differing} samples differ)")


if __name__ == "__main__":
    main()
