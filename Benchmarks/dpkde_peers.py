"""Peers for the private Gaussian-kernel KDE benchmark (issue #5), on the inputs written by
dpkde-bench (same points, queries and random features):

  OPENBLAS_NUM_THREADS=1 .build/release/dpkde-bench 1000000 --write-inputs /tmp/dpkde-bench
  python3 dpkde_peers.py /tmp/dpkde-bench [swift_build_seconds swift_query_seconds]

* NumPy: the same random-feature mechanism (blocks of 512 rows, X·W + b, cos, sums) with
  NumPy's floating-point Laplace noise (not an exact sampler: timing only). NumPy's BLAS uses
  the threads OpenBLAS is given; cos runs on one core.
* scikit-learn KernelDensity: exact, non-private KDE with the same kernel (bandwidth h/√2 in
  its convention), on the first 200 queries (each costs a pass over all n points in d = 32;
  per-query times are compared).
"""
import sys
import time

import numpy as np
from sklearn.neighbors import KernelDensity

directory = sys.argv[1]
X = np.load(f"{directory}/points.npy")
Q = np.load(f"{directory}/queries.npy")
W = np.load(f"{directory}/frequencies.npy")
b = np.load(f"{directory}/phases.npy")
noiseless_swift = np.load(f"{directory}/noiseless.npy")
n, d = X.shape
m = W.shape[1]
h = 4.0
epsilon = 1.0
print(f"n = {n}, d = {d}, m = {m}, {len(Q)} queries")

start = time.perf_counter()
S = np.zeros(m)
for i in range(0, n, 512):
    S += np.sqrt(2) * np.cos(X[i:i + 512] @ W + b).sum(axis=0)
noisy = S + np.random.default_rng(1).laplace(scale=np.sqrt(2) * m / epsilon, size=m)
count = n + np.random.default_rng(2).laplace(scale=1 / epsilon)
numpy_build = time.perf_counter() - start

times = []
for _ in range(3):
    start = time.perf_counter()
    answers = np.sqrt(2) * np.cos(Q @ W + b) @ noisy / m / count
    times.append(time.perf_counter() - start)
numpy_query = min(times)
noiseless_numpy = np.sqrt(2) * np.cos(Q @ W + b) @ S / m / n
print(f"NumPy random features: build {numpy_build:.2f} s, 10^4 queries {numpy_query:.3f} s (best of 3)")
print(f"noiseless answers, Swift vs NumPy: max |difference| {np.max(np.abs(noiseless_swift - noiseless_numpy)):.2e} "
      f"(Swift rounds each feature to 2^-20)")

k = 200
kde = KernelDensity(kernel="gaussian", bandwidth=h / np.sqrt(2), rtol=0.0)
start = time.perf_counter()
kde.fit(X)
fit = time.perf_counter() - start
start = time.perf_counter()
log_density = kde.score_samples(Q[:k])
sklearn_query = time.perf_counter() - start
exact = np.exp(log_density + 0.5 * d * np.log(2 * np.pi * (h / np.sqrt(2)) ** 2))
print(f"scikit-learn KernelDensity (exact): fit {fit:.2f} s, {k} queries {sklearn_query:.2f} s "
      f"({sklearn_query / k * 1e3:.1f} ms per query)")
print(f"random features (noiseless) vs exact on those queries: mean |error| {np.mean(np.abs(noiseless_numpy[:k] - exact)):.2e}, "
      f"mean exact value {np.mean(exact):.2e}")

if len(sys.argv) >= 4:
    swift_build, swift_query = float(sys.argv[2]), float(sys.argv[3])
    print(f"ratios (peer / Swift): build NumPy {numpy_build / swift_build:.2f}x; "
          f"10^4 queries NumPy {numpy_query / swift_query:.2f}x; "
          f"per query scikit-learn exact {(sklearn_query / k) / (swift_query / len(Q)):.0f}x")
