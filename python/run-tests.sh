#!/usr/bin/env bash
# Runs the tests of the Python helper (python/surety_colep) in python/.venv, creating it on
# first use. Exits non-zero on any failure; prints pytest's one-line summary on success.
# The colep integration tests run when SURETY_COLEP or <repo>/.build/debug/colep is a
# built binary, and are skipped (with the reason) otherwise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup-venv.sh"
cd "$here"
exec "$here/.venv/bin/python" -m pytest -q -p no:cacheprovider -rs tests
