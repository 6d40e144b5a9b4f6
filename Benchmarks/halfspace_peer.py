"""scikit-learn's LogisticRegression on the halfspace-bench data (same rows):

  swift run -c release halfspace-bench 100000 20 --write /tmp/halfspace-bench
  python3 halfspace_peer.py /tmp/halfspace-bench SWIFT_SECONDS

Best and median of 3 fits (default lbfgs solver, fit_intercept=False).
"""
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

X = np.load(f"{sys.argv[1]}/x.npy")
y = np.load(f"{sys.argv[1]}/y.npy")
times = []
for _ in range(3):
    start = time.perf_counter()
    model = LogisticRegression(fit_intercept=False, max_iter=1000).fit(X, y)
    times.append(time.perf_counter() - start)
times.sort()
w = model.coef_[0] / np.linalg.norm(model.coef_[0])
print(f"LogisticRegression fit: best {times[0]:.3f} s, median {times[1]:.3f} s; angle to w* {np.degrees(np.arccos(w[0])):.2f}°")
if len(sys.argv) > 2:
    print(f"ratio (tester-learner / LogisticRegression fit): {float(sys.argv[2]) / times[0]:.1f}x")
