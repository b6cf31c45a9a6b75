#!/usr/bin/env bash
# Creates .venv (if missing) and installs stocklab into it with the given extras.
# Usage: scripts/setup_env.sh [extras]   e.g. scripts/setup_env.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
extras=${1:-}
spec="."
if [ -n "$extras" ]; then spec=".[$extras]"; fi
# One install at a time: parallel builds into one venv would clash.
exec 9>.venv/.install.lock
flock 9
.venv/bin/python -m pip install -q "$spec"
