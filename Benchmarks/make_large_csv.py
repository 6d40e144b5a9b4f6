"""Writes a numeric CSV of about SIZE_GB gigabytes (10 columns, random doubles) for the
csv-stream benchmark:  python3 make_large_csv.py OUT.csv SIZE_GB"""
import sys

import numpy as np

out, size_gb = sys.argv[1], float(sys.argv[2])
rng = np.random.default_rng(1)
written = 0
with open(out, "w") as f:
    f.write(",".join(f"x{i}" for i in range(10)) + "\n")
    while written < size_gb * 1e9:
        block = rng.standard_normal((100_000, 10))
        text = "\n".join(",".join(repr(float(v)) for v in row) for row in block) + "\n"
        f.write(text)
        written += len(text)
