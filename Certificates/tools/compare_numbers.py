#!/usr/bin/env python3
"""Compares every number in `results` and `evidence` of two certificates of the same run.

Usage: compare_numbers.py A.json B.json
Prints each number that differs with its relative difference, then one summary line:
`NAME: N numbers, K bit-identical, largest relative difference R at PATH`.
Used by kernel_differences.sh to measure how far OpenBLAS kernel families move each number.
"""
import json
import math
import sys


def number(x):
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return float(x)
    if x in ("NaN", "Infinity", "-Infinity"):
        return float(x.replace("Infinity", "inf"))
    return None


def walk(path, x, y, out):
    if isinstance(x, dict) and isinstance(y, dict):
        for key in sorted(set(x) | set(y)):
            walk(f"{path}.{key}", x.get(key), y.get(key), out)
    elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y)):
            walk(f"{path}[{i}]", u, v, out)
    else:
        u, v = number(x), number(y)
        if u is None or v is None:
            if x != y:
                out.append((path, math.inf, x, y))
            return
        if u == v or (math.isnan(u) and math.isnan(v)):
            out.append((path, 0.0, x, y))
        else:
            out.append((path, abs(u - v) / max(abs(u), abs(v)), x, y))


def main():
    a, b = (json.load(open(p)) for p in sys.argv[1:3])
    rows = []
    for section in ("results", "evidence"):
        walk(section, a.get(section, {}), b.get(section, {}), rows)
    numbers = [r for r in rows if r[1] != math.inf or number(r[2]) is not None]
    for path, rel, x, y in rows:
        if rel != 0:
            print(f"  {path}: {x!r} vs {y!r} (relative {rel:.2e})")
    worst = max(rows, key=lambda r: r[1], default=("-", 0.0, None, None))
    identical = sum(1 for r in numbers if r[1] == 0)
    print(f"{sys.argv[3] if len(sys.argv) > 3 else sys.argv[1]}: {len(numbers)} numbers, {identical} bit-identical, "
          f"largest relative difference {worst[1]:.2e} at {worst[0]}")


if __name__ == "__main__":
    main()
