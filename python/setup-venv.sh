#!/usr/bin/env bash
# Creates python/.venv (if missing) with the helper (editable) and its test dependencies.
# Idempotent: a stamp records what was installed, so a second run installs nothing.
# Used by run-tests.sh and by Examples/colep-own-model/run.sh. Quiet on success.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements-test.txt"
stamp="$venv/.surety-installed"

make_venv() {
    python3 -m venv "$venv" >/dev/null 2>&1 && return 0
    rm -rf "$venv"
    # Debian ships venv/ensurepip in a separate package: install it when we may.
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        version="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        { apt-get install -y -qq "python${version}-venv" || apt-get install -y -qq python3-venv \
            || { apt-get update -qq && apt-get install -y -qq python3-venv; }; } >/dev/null 2>&1 || true
        python3 -m venv "$venv" >/dev/null 2>&1 && return 0
        rm -rf "$venv"
    fi
    # Last resort: virtualenv from PyPI into the user's site (PEP 668 systems need the flag).
    python3 -m pip install -q --user virtualenv 2>/dev/null \
        || python3 -m pip install -q --user --break-system-packages virtualenv
    python3 -m virtualenv -q "$venv"
}

if [ ! -x "$venv/bin/python" ]; then
    make_venv
fi
wanted="$(cat "$requirements" "$here/pyproject.toml" | cksum)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: -r "$requirements"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$here"
    printf '%s\n' "$wanted" > "$stamp"
fi
