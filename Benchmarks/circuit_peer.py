#!/usr/bin/env python3
"""Cross-check and time circuit marginals against COLEP's own method: one truth table per
part (connected component), built with NumPy in log space, as the official code does
(kangmintong/COLEP, spec colep.md §1.4). Run after

    OPENBLAS_NUM_THREADS=1 swift run -c release circuit-bench 100000 --write-inputs /tmp/circuit-bench

with:  python3 circuit_peer.py /tmp/circuit-bench [rows]
It recomputes the written rows with the truth tables, reports the largest difference from
our marginals, and times the truth-table method on `rows` random vectors (default 100000).
"""
import itertools, re, sys, time
import numpy as np

directory = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000

# Parse the rules file written by circuit-bench (only `label => attr  w=…  pc=…` lines).
names, circuits = [], {}
for line in open(f"{directory}/gtsrb.rules"):
    line = line.split("#")[0].strip()
    if not line:
        continue
    if ":" in line:
        names += line.split(":", 1)[1].split()
        continue
    m = re.match(r"(\S+) => (\S+)\s+w=(\S+)\s+pc=(\S+)", line)
    a, b, w, pc = m.groups()
    circuits.setdefault(pc, []).append((names.index(a), names.index(b), float(w)))

def parts(rules):
    """Connected components of the rule graph: [(variables, rules)]."""
    groups = []
    for a, b, w in rules:
        hit = [g for g in groups if a in g[0] or b in g[0]]
        merged = (set([a, b]), [(a, b, w)])
        for g in hit:
            merged[0].update(g[0]); merged[1].extend(g[1]); groups.remove(g)
        groups.append(merged)
    return [(sorted(v), r) for v, r in groups]

def truth_table_marginals(p, rules):
    """Marginals of every variable under one circuit, by enumerating each part."""
    out = p.copy()
    with np.errstate(divide="ignore"):
        logp, log1mp = np.log(p), np.log1p(-p)
    for variables, part_rules in parts(rules):
        k = len(variables)
        assignments = np.array(list(itertools.product([0, 1], repeat=k)))          # 2^k × k
        index = {v: i for i, v in enumerate(variables)}
        log_factor = np.zeros(len(assignments))
        for a, b, w in part_rules:
            satisfied = (assignments[:, index[a]] == 0) | (assignments[:, index[b]] == 1)
            log_factor += w * satisfied
        # B × 2^k log-weights: Σ_j T(p_j, μ_j) + log F(μ)
        logw = logp[:, variables] @ assignments.T + log1mp[:, variables] @ (1 - assignments).T + log_factor
        logw -= logw.max(axis=1, keepdims=True)
        weights = np.exp(logw)
        z = weights.sum(axis=1)
        out[:, variables] = (weights @ assignments) / z[:, None]
    return out

probabilities = np.loadtxt(f"{directory}/probabilities.csv", delimiter=",", ndmin=2)
worst = 0.0
for pc, rules in circuits.items():
    ours = np.loadtxt(f"{directory}/marginals-{pc}.csv", delimiter=",", ndmin=2)
    theirs = truth_table_marginals(probabilities, rules)
    diff = np.abs(ours - theirs).max()
    worst = max(worst, diff)
    print(f"circuit {pc}: largest |ours − truth table| over {len(probabilities)} rows × {probabilities.shape[1]} variables = {diff:.2e}")

rng = np.random.default_rng(2024)
p = rng.random((rows, probabilities.shape[1]))
times = []
for _ in range(5):
    start = time.perf_counter()
    for rules in circuits.values():
        truth_table_marginals(p, rules)
    times.append(time.perf_counter() - start)
times.sort()
print(f"truth tables (NumPy {np.__version__}), all three circuits, {rows} rows: best {times[0]:.4f} s, median {times[2]:.4f} s (5 runs)")
