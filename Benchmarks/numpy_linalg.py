"""The NumPy side of Benchmarks/LinearAlgebra: the same three operations at n = 1000.

Prints, per operation, the median and minimum wall-clock time in milliseconds over 30
timed runs (after 2 warm-up runs), and which BLAS NumPy uses. Inputs are drawn like the
Swift benchmark's (uniform in [-0.5, 0.5), then AᵀA/n + I for the symmetric positive-definite
one); the values differ, which does not matter for the timing of these dense kernels.

Run with the same thread count as the Swift side, e.g.
    OPENBLAS_NUM_THREADS=1 python3 numpy_linalg.py
"""
import json
import statistics
import sys
import time

import numpy as np

N = 1000
RUNS = 30
WARMUP = 2


def timed(f):
    for _ in range(WARMUP):
        f()
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        f()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples), min(samples)


def main():
    rng = np.random.default_rng(2026)
    a = np.asfortranarray(rng.random((N, N)) - 0.5)
    b = np.asfortranarray(a.T)
    spd = np.asfortranarray(a.T @ a / N + np.eye(N))
    results = {
        "dgemm 1000": timed(lambda: a @ b),
        "Cholesky 1000": timed(lambda: np.linalg.cholesky(spd)),
        "eigen 1000": timed(lambda: np.linalg.eigh(spd)),
    }
    try:
        from threadpoolctl import threadpool_info
        blas = [(i.get("internal_api"), i.get("version"), i.get("architecture"), i.get("num_threads")) for i in threadpool_info()]
    except ImportError:
        blas = "threadpoolctl not installed"
    print(f"numpy {np.__version__}; BLAS {blas}")
    for name, (median, best) in results.items():
        print(f"{name:16s} median {median:8.2f} ms   min {best:8.2f} ms")
    if "--json" in sys.argv:
        print(json.dumps({k: {"median_ms": v[0], "min_ms": v[1]} for k, v in results.items()}))


if __name__ == "__main__":
    main()
