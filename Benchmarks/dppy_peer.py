"""DPPy on the dppls-bench tasks (same sizes; the discrete kernel is the one Swift wrote):

  swift run -c release dppls-bench --write /tmp/dppls-bench
  python3 dppy_peer.py /tmp/dppls-bench

Per sample: median and best. 1-D: DPPy's default (the tridiagonal β-ensemble model,
tridiag_1D=True) and its chain rule (tridiag_1D=False); 2-D: the chain rule; discrete: exact
projection sampler 'GS' from the eigendecomposition (K = UUᵀ, eigenvalues 1).
"""
import sys
import time

import numpy as np
from dppy.finite_dpps import FiniteDPP
from dppy.multivariate_jacobi_ope import MultivariateJacobiOPE


def report(label, repetitions, body):
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{label}: median {times[len(times) // 2] * 1e3:.3f} ms, best {times[0] * 1e3:.3f} ms ({repetitions} samples)")


rng = np.random.RandomState(1)
line = MultivariateJacobiOPE(50, np.array([[0.0, 0.0]]))
report("DPPy Legendre 1-D, m = 50, tridiagonal model (default)", 200, lambda: line.sample(random_state=rng, tridiag_1D=True))
report("DPPy Legendre 1-D, m = 50, chain rule", 20, lambda: line.sample(random_state=rng, tridiag_1D=False))
square = MultivariateJacobiOPE(50, np.array([[0.0, 0.0], [0.0, 0.0]]))
report("DPPy Legendre 2-D, m = 50, chain rule", 20, lambda: square.sample(random_state=rng))
U = np.load(f"{sys.argv[1]}/U.npy")
dpp = FiniteDPP("correlation", projection=True, K_eig_dec=(np.ones(U.shape[1]), U))
report("DPPy discrete N = 5000, m = 100, GS", 20, lambda: dpp.sample_exact(mode="GS", random_state=rng))
