#!/usr/bin/env bash
# Developer rebuild: reinstall stocklab into .venv without build isolation (fast, no downloads).
# Serialised with a lock so parallel rebuilds do not clash.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>.venv/.install.lock
flock 9
.venv/bin/python -m pip install -q --no-build-isolation --no-deps . 2>&1 | grep -v "WARNING: Location" || true
.venv/bin/python -c "import stocklab" 
