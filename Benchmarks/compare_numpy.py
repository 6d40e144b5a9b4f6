"""Surety's Matrix wrappers against NumPy on the same three operations at n = 1000.

Wall-clock time on a shared 2-core VM drifts by up to 2x over minutes, so the two sides
are run in alternation (Swift, NumPy, Swift, NumPy, ...) and each side's best time over all
rounds is compared: the minimum is the estimate least affected by interference.

    cd Benchmarks
    swift build -c release --product wrapper-overhead
    OPENBLAS_NUM_THREADS=1 python3 compare_numpy.py [--alternations 3]

Add OPENBLAS_CORETYPE=SkylakeX (or another kernel your CPU supports) to force Debian's
OpenBLAS onto the same kernel family as NumPy's bundled OpenBLAS; see README.md.
"""
import argparse
import os
import re
import subprocess

import numpy_linalg

SWIFT = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".build", "release", "wrapper-overhead")


def swift_minimums(rounds):
    out = subprocess.run([SWIFT, str(rounds)], check=True, capture_output=True, text=True).stdout
    mins = {}
    for line in out.splitlines():
        m = re.match(r"(\w+)\s+\d+\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            mins[m.group(1)] = (float(m.group(2)), float(m.group(3)))  # raw, wrapped
    return mins


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--alternations", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    best_swift, best_numpy = {}, {}
    for _ in range(args.alternations):
        for name, (raw, wrapped) in swift_minimums(args.rounds).items():
            r, w = best_swift.get(name, (float("inf"), float("inf")))
            best_swift[name] = (min(r, raw), min(w, wrapped))
        for name, (median, best) in numpy_linalg.measure(args.rounds).items():
            best_numpy[name] = min(best_numpy.get(name, float("inf")), best)
    print(numpy_linalg.blas_description())
    print(f"{'operation':10s} {'Surety Matrix (ms)':>19s} {'raw OpenBLAS (ms)':>18s} {'NumPy (ms)':>11s} {'Surety / NumPy':>15s}")
    for name in ["dgemm", "Cholesky", "eigen"]:
        raw, wrapped = best_swift[name]
        numpy = best_numpy[name]
        print(f"{name:10s} {wrapped:19.2f} {raw:18.2f} {numpy:11.2f} {wrapped / numpy:15.2f}")


if __name__ == "__main__":
    main()
