#!/usr/bin/env python3
"""Certified coverage of COLEP, RSCP and RSCP+ against the attack radius δ, over seeds.

Runs the release `colep` binary (build it first: `swift build -c release --product colep`)
from the repository root:

    python3 Papers/COLEP/sweep.py [--synthetic] [--sigma 0.5] [--seeds 5]

and prints, for each δ, the mean over seeds (and the range) of each method's certified
coverage, clean coverage and mean set size.
"""
import argparse, json, os, subprocess, statistics

parser = argparse.ArgumentParser()
parser.add_argument("--synthetic", action="store_true")
parser.add_argument("--sigma", type=float, default=0.5)
parser.add_argument("--seeds", type=int, default=5)
parser.add_argument("--mc-samples", dest="draws", type=int, default=1000)
parser.add_argument("--attack", action="store_true", help="digits only: also run PGD and report COLEP's coverage under it")
args = parser.parse_args()
binary = os.path.join(".build", "release", "colep")
methods = ["COLEP", "vanilla APS", "RSCP", "RSCP+"]
print(f"{'synthetic GTSRB' if args.synthetic else 'digits'} example, σ = {args.sigma}, N = {args.draws}, seeds 1..{args.seeds}")
print(f"{'δ':>6} {'method':12} {'certified coverage':>26} {'clean coverage':>15} {'mean set size':>14}")
for delta in (0.125, 0.25, 0.5):
    rows = {m: [] for m in methods}
    for seed in range(1, args.seeds + 1):
        cmd = [binary, "certify", "--eps", str(delta), "--sigma", str(args.sigma), "--mc-samples", str(args.draws),
               "--seed", str(seed), "--json"] + (["--synthetic"] if args.synthetic else []) + (["--attack"] if args.attack else [])
        cert = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        results = cert["results"]
        rows["COLEP"].append(results)
        for name, summary in results["baselines"].items():
            rows[name].append(summary)
    for m in methods:
        cc = [r["certified_coverage"] for r in rows[m] if r["certified_coverage"] is not None]
        cov = [r["empirical_coverage_clean"] for r in rows[m]]
        size = [r["mean_set_size"] for r in rows[m]]
        certified = f"{statistics.mean(cc):.3f} [{min(cc):.3f}, {max(cc):.3f}]" if cc else "—"
        print(f"{delta:6} {m:12} {certified:>26} {statistics.mean(cov):15.3f} {statistics.mean(size):14.3f}")
    if args.attack:
        pgd = [r["coverage_under_pgd"] for r in rows["COLEP"]]
        cert = [r["certified_coverage"] for r in rows["COLEP"]]
        print(f"{delta:6} COLEP under PGD: coverage {statistics.mean(pgd):.3f} [{min(pgd):.3f}, {max(pgd):.3f}]; "
              f"certified {statistics.mean(cert):.3f}; runs with coverage below certified: {sum(p < c for p, c in zip(pgd, cert))} of {len(pgd)}")
