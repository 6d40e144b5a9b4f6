"""scikit-learn's GaussianMixture (spherical covariance) on the ambient-bench data:

  swift run -c release ambient-bench --write /tmp/ambient-bench
  python3 ambient_peer.py /tmp/ambient-bench SWIFT_BEST_SECONDS

Same starting means, 100 iterations exactly (tol=0), variances initialized to 1 (the true
noise level, which our EM knows and does not estimate). Best and median of 3.
"""
import sys
import time
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture

warnings.filterwarnings("ignore")
X = np.load(f"{sys.argv[1]}/x.npy")
start = np.load(f"{sys.argv[1]}/start.npy")
times = []
for _ in range(3):
    gm = GaussianMixture(n_components=5, covariance_type="spherical", max_iter=100, tol=0, n_init=1,
                         means_init=start, weights_init=np.full(5, 0.2), precisions_init=np.ones(5))
    begin = time.perf_counter()
    gm.fit(X)
    times.append(time.perf_counter() - begin)
times.sort()
print(f"GaussianMixture(spherical), 100 iterations: best {times[0]:.3f} s, median {times[1]:.3f} s ({gm.n_iter_} iterations)")
if len(sys.argv) > 2:
    print(f"ratio (scikit-learn / Surety): {times[0] / float(sys.argv[2]):.1f}x")
