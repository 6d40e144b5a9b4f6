#!/usr/bin/env python3
"""Certified coverage of every method in `colep certify`'s table against the attack radius δ,
over seeds.

Runs the release `colep` binary (build it first: `swift build -c release --product colep`)
from the repository root:

    python3 Papers/COLEP/sweep.py [--synthetic] [--sigma 0.5] [--seeds 5] [--attack]

and prints, for each δ and method, the mean over seeds (and the range) of the certified
coverage (a lower bound at confidence 0.99), the clean coverage and the mean set size; with
--attack (digits only) also the coverage under the PGD attack and how many runs fell below
their certified coverage.
"""
import argparse, json, os, statistics, subprocess

parser = argparse.ArgumentParser()
parser.add_argument("--synthetic", action="store_true")
parser.add_argument("--sigma", type=float, default=0.5)
parser.add_argument("--seeds", type=int, default=5)
parser.add_argument("--mc-samples", dest="draws", type=int, default=1000)
parser.add_argument("--radii", default="0.125,0.25,0.5")
parser.add_argument("--attack", action="store_true", help="digits only: also run PGD on every method")
args = parser.parse_args()
binary = os.path.join(".build", "release", "colep")
print(f"{'synthetic GTSRB' if args.synthetic else 'digits'} example, σ = {args.sigma}, N = {args.draws}, seeds 1..{args.seeds}")


def span(values, digits=3):
    return f"{statistics.mean(values):.{digits}f} [{min(values):.{digits}f}, {max(values):.{digits}f}]"


for delta in map(float, args.radii.split(",")):
    rows = {}
    for seed in range(1, args.seeds + 1):
        cmd = [binary, "certify", "--eps", str(delta), "--sigma", str(args.sigma), "--mc-samples", str(args.draws),
               "--seed", str(seed), "--json"] + (["--synthetic"] if args.synthetic else []) + (["--attack"] if args.attack else [])
        results = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)["results"]
        configured = {k: v for k, v in results.items() if k != "methods"}
        for name, summary in [("COLEP (union)", configured)] + list(results["methods"].items()):
            rows.setdefault(name, []).append(summary)
    print(f"\nδ = {delta}")
    header = f"{'method':42} {'certified coverage':>22} {'clean coverage':>22} {'mean set size':>22}"
    print(header + (f" {'coverage under PGD':>22} {'below certified':>15}" if args.attack else ""))
    for name, summaries in rows.items():
        cc = [r["certified_coverage"] for r in summaries if r["certified_coverage"] is not None]
        line = (f"{name:42} {span(cc) if cc else '—':>22} {span([r['empirical_coverage_clean'] for r in summaries]):>22} "
                f"{span([r['mean_set_size'] for r in summaries]):>22}")
        if args.attack:
            pgd = [r["coverage_under_attack"] for r in summaries]
            below = sum(p < c for p, c in zip(pgd, cc)) if cc else 0
            line += f" {span(pgd):>22} {f'{below} of {len(pgd)}' if cc else '—':>15}"
        print(line)
