#!/usr/bin/env bash
# Regenerates every reference certificate under two OpenBLAS kernel families and compares
# every number (the measurement behind Certificates/README.md, "Tolerances").
#   Certificates/tools/kernel_differences.sh [KERNEL_A] [KERNEL_B]
# Defaults: the machine's own kernel and Prescott. Needs the tools built (`swift build`);
# BIN=.build/release to use release builds. Writes into a temporary folder; prints per file the
# numbers that moved and a summary line.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-.build/debug}
a=${1:-default}; b=${2:-Prescott}
out=$(mktemp -d)
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
run() {  # kernel name, then the command
  local kernel=$1; shift
  if [ "$kernel" = default ]; then "$@"; else OPENBLAS_CORETYPE=$kernel "$@"; fi >/dev/null 2>&1
}
for k in "$a" "$b"; do
  run "$k" "$bin/colep" certify --seed 1 --mc-samples 200 --output "$out/colep-digits.$k.json"
  run "$k" "$bin/dpkde" classify --insecure-noise-seed 1 --reps 5 --certificate "$out/dpkde-classify.$k.json"
  run "$k" "$bin/halfspace" learn --noise massart --eta 0.2 --seed 1 --output "$out/halfspace-example.$k.json"
  run "$k" "$bin/dppls" fit Examples/dppls-runge/runge.csv --basis legendre --dim 1 --degree 9 -o "$out/dppls-runge.$k.json"
  run "$k" "$bin/ambient" simulate --estimator moments --seed 1 --output "$out/ambient-moments.$k.json"
  run "$k" "$bin/ambient" sweep --estimator moments --reps 4 --seed 1 --output "$out/ambient-sweep-moments.$k.json"
done
for name in colep-digits dpkde-classify halfspace-example dppls-runge ambient-moments ambient-sweep-moments; do
  python3 Certificates/tools/compare_numbers.py "$out/$name.$a.json" "$out/$name.$b.json" "$name ($a vs $b)"
done
rm -rf "$out"
