#!/usr/bin/env bash
# COLEP with your own model, end to end: train and smooth in Python (surety_colep), then
# certify, predict under attack and verify with colep. Run from anywhere; it works from the
# repository root, so that the certificate's relative paths verify from there.
#
#   COLEP=.build/debug/colep Examples/colep-own-model/run.sh     # an already built binary
#   Examples/colep-own-model/run.sh                              # default: swift run -c release colep
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
COLEP="${COLEP:-swift run -c release colep}"
SIGMA=0.25 DRAWS=1000 EPS=0.1 SEED=1
out=Examples/colep-own-model/out
# One BLAS thread: small matrices, and no oversubscription on a busy machine.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

python/setup-venv.sh
python/.venv/bin/python Examples/colep-own-model/train_and_smooth.py \
    --out "$out" --sigma "$SIGMA" --draws "$DRAWS" --eps "$EPS" --seed "$SEED"

same=(--rules "$out/digits-own.rules" --kind votes --mc-samples "$DRAWS" --sigma "$SIGMA" --seed "$SEED")
echo "== colep certify (calibration: cal.csv, test: test.csv)"
$COLEP certify --calibration "$out/cal.csv" --test "$out/test.csv" "${same[@]}" --eps "$EPS" --output "$out/certificate.json"
echo "== colep predict on the clean test split"
$COLEP predict --calibration "$out/cal.csv" --test "$out/test.csv" "${same[@]}"
echo "== colep predict on the PGD-attacked test split (ε = $EPS)"
$COLEP predict --calibration "$out/cal.csv" --test "$out/attacked.csv" "${same[@]}"
echo "== colep verify"
$COLEP verify "$out/certificate.json"
