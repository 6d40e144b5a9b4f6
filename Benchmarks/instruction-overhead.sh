#!/usr/bin/env bash
# Deterministic wrapper overhead: instructions executed by each raw call and by its
# SuretyNumerics wrapper, counted by valgrind (callgrind's instruction counter via
# --tool=lackey would be slower; `valgrind --tool=none` cannot count, so callgrind is used
# with its cache simulation off). Repeatable for the same binary and inputs, whatever else
# the machine is doing. Under valgrind OpenBLAS selects its Haswell kernels.
#
#   Benchmarks/instruction-overhead.sh [OPERATION ...]   (default: dgemm Cholesky eigen)
# It takes about 25 minutes for all three (valgrind runs the 1000×1000 kernels ~50× slower).
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product wrapper-overhead >/dev/null
bin=.build/release/wrapper-overhead
export OPENBLAS_NUM_THREADS=1

count() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --once "$@" 2>&1 >/dev/null | grep -oE 'Collected : [0-9]+' | grep -oE '[0-9]+'
  rm -f "$out"
}

setup=$(count setup)
printf '%-10s %16s %16s %14s %10s\n' operation "raw (instr.)" "wrapped (instr.)" "extra" overhead
ops=("$@")
[ ${#ops[@]} -gt 0 ] || ops=(dgemm Cholesky eigen)
for op in "${ops[@]}"; do
  raw=$(( $(count raw "$op") - setup ))
  wrapped=$(( $(count wrapped "$op") - setup ))
  extra=$(( wrapped - raw ))
  printf '%-10s %16d %16d %14d %9.3f%%\n' "$op" "$raw" "$wrapped" "$extra" "$(echo "100 * $extra / $raw" | bc -l)"
done
