"""The completeness/soundness experiment of spec tester-learner.md §A.8, with scikit-learn's
baselines on the same data in the same run.

  swift build -c release --product halfspace
  python3 Papers/TesterLearner/experiment.py [--reps 100] [--n 60000] [--d 10] [--epsilon 0.1]

For each condition and repetition r: `halfspace simulate` writes n training rows (seed r),
`halfspace learn --json` runs the tester-learner on them (seed r), and LogisticRegression,
LinearSVC and the averaged perceptron (all fit_intercept=False) are fitted on the same rows.
Test errors and angles to w* are measured on one held-out set of 100 000 rows per condition
(seed 10 000); opt is the error of w* on that set.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tool = os.path.join(root, ".build", "release", "halfspace")

CONDITIONS = [
    ("gaussian", "quadrant-massart", 0.2),
    ("gaussian", "quadrant-massart", 0.4),
    ("gaussian", "adversarial", 0.02),
    ("cube", "quadrant-massart", 0.4),
    ("student-t", "quadrant-massart", 0.4),
    ("laplace", "quadrant-massart", 0.4),
    ("ckmy", "ckmy", 0.4),
]


def simulate(path, marginal, labels, eta, n, d, seed):
    subprocess.run([tool, "simulate", "--marginal", marginal, "--labels", labels, "--eta", str(eta),
                    "-n", str(n), "-d", str(d), "--seed", str(seed), "-o", path], check=True)
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def error(w, X, y):
    return float(np.mean(np.where(X @ w >= 0, 1.0, -1.0) != y))


def angle(w, target):
    w = w / np.linalg.norm(w)
    return float(np.degrees(np.arccos(np.clip(w @ target, -1, 1))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--n", type=int, default=60000)
    parser.add_argument("--d", type=int, default=10)
    parser.add_argument("--epsilon", type=float, default=0.1)
    parser.add_argument("--delta", type=float, default=0.01)
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    print(f"n = {args.n}, d = {args.d}, ε = {args.epsilon}, δ = {args.delta}, {args.reps} repetitions per condition")
    header = ("condition", "noise model stated", "accept rate", "certified (excess ≤ ε)", "mean excess bound (accepted)", "bound violated",
              "tester-learner err (angle)", "LogReg", "LinearSVC", "avg perceptron", "Chow", "opt", "failing tests (rejects)")
    rows = []
    for marginal, labels, eta in CONDITIONS:
        test_path = os.path.join(work, "test.csv")
        Xt, yt = simulate(test_path, marginal, labels, eta, 100000, args.d, 10000)
        target = np.zeros(args.d)
        target[1 if labels == "ckmy" else 0] = 1
        opt = error(target, Xt, yt)
        accepted = certified = violated = 0
        bounds = []
        # The noise model the user would state: Massart with the generator's η where the labels
        # are Massart; agnostic for the adversarial region flips.
        noise = ["--noise", "agnostic"] if labels == "adversarial" else ["--noise", "massart", "--eta", str(eta)]
        results = {k: [] for k in ("psgd", "logreg", "svc", "perceptron", "chow")}
        failing = {}
        times = []
        for r in range(1, args.reps + 1):
            path = os.path.join(work, "train.csv")
            X, y = simulate(path, marginal, labels, eta, args.n, args.d, r)
            start = time.perf_counter()
            out = subprocess.run([tool, "learn", path, "--epsilon", str(args.epsilon), "--delta", str(args.delta),
                                  "--seed", str(r), "--json"] + noise, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if out.returncode not in (0, 1):
                sys.exit(f"halfspace failed: {out.stderr}")
            cert = json.loads(out.stdout)
            res = cert["results"]
            accepted += res["verdict"] == "accept"
            certified += res["certified"]
            w = np.array(res["weights"])
            bound = res["near_optimality"]["excess_bound"]
            if res["verdict"] == "accept" and bound is not None:
                bounds.append(bound)
                # The excess on the 100 000-row held-out set, against the bound (the held-out
                # estimate's own error is about 0.002 at these rates).
                violated += error(w, Xt, yt) - opt > bound
            if res["verdict"] == "reject":
                for t in res["tests"]:
                    if not t["passed"]:
                        name = t["name"].split(" |")[0].split(" (")[0]
                        failing[name] = failing.get(name, 0) + 1
            results["psgd"].append((error(w, Xt, yt), angle(w, target)))
            lr = LogisticRegression(fit_intercept=False, max_iter=1000).fit(X, y)
            results["logreg"].append((error(lr.coef_[0], Xt, yt), angle(lr.coef_[0], target)))
            svc = LinearSVC(fit_intercept=False).fit(X, y)
            results["svc"].append((error(svc.coef_[0], Xt, yt), angle(svc.coef_[0], target)))
            per = SGDClassifier(loss="perceptron", learning_rate="constant", eta0=1.0, penalty=None, average=True,
                                fit_intercept=False, max_iter=5, tol=None, random_state=r).fit(X, y)
            results["perceptron"].append((error(per.coef_[0], Xt, yt), angle(per.coef_[0], target)))
            chow = (y[:, None] * X).sum(axis=0)
            results["chow"].append((error(chow, Xt, yt), angle(chow, target)))

        def cell(k):
            e = np.array([v[0] for v in results[k]])
            a = np.array([v[1] for v in results[k]])
            return f"{e.mean():.4f} ({a.mean():.1f}°)"
        name = f"{marginal}, {labels} {eta}"
        top = ", ".join(f"{k} {v}" for k, v in sorted(failing.items(), key=lambda kv: -kv[1])[:3])
        rows.append((name, " ".join(noise[1:]), f"{accepted}/{args.reps}", f"{certified}/{args.reps}",
                     f"{np.mean(bounds):.4f}" if bounds else "—", f"{violated}/{len(bounds)}", cell("psgd"), cell("logreg"), cell("svc"), cell("perceptron"), cell("chow"),
                     f"{opt:.4f}", top or "—"))
        print(f"{name}: accepted {accepted}/{args.reps}; halfspace learn median {np.median(times):.2f} s per run", flush=True)
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
