"""The NumPy side of the linear-algebra benchmarks: dgemm, Cholesky and symmetric
eigendecomposition at n = 1000, like Benchmarks/Sources/BenchmarkInputs.

Inputs are drawn like the Swift side's (uniform in [-0.5, 0.5), then AᵀA/n + I for the
symmetric positive-definite one); the values differ, which does not matter for the timing of
these dense kernels. Run with the same thread count as the Swift side:

    OPENBLAS_NUM_THREADS=1 python3 numpy_linalg.py
"""
import statistics
import time

import numpy as np

N = 1000
WARMUP = 2


def timed(f, runs):
    for _ in range(WARMUP):
        f()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples), min(samples)


def measure(runs=30):
    """{operation: (median ms, min ms)} over `runs` timed runs after 2 warm-ups."""
    rng = np.random.default_rng(2026)
    a = np.asfortranarray(rng.random((N, N)) - 0.5)
    b = np.asfortranarray(a.T)
    spd = np.asfortranarray(a.T @ a / N + np.eye(N))
    return {
        "dgemm": timed(lambda: a @ b, runs),
        "Cholesky": timed(lambda: np.linalg.cholesky(spd), runs),
        "eigen": timed(lambda: np.linalg.eigh(spd), runs),
    }


def blas_description():
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')} kernels, {i.get('num_threads')} threads)"
                         for i in threadpool_info())
    except ImportError:
        blas = "unknown BLAS (pip install threadpoolctl to see which)"
    return f"numpy {np.__version__} on {blas}"


def main():
    print(blas_description())
    for name, (median, best) in measure().items():
        print(f"{name:10s} median {median:8.2f} ms   min {best:8.2f} ms")


if __name__ == "__main__":
    main()
