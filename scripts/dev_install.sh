#!/usr/bin/env bash
# Developer rebuild: reinstall stocklab into .venv without build isolation (fast, no downloads).
# Serialised with a lock so parallel rebuilds do not clash.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>.venv/.install.lock
flock 9
# Without build isolation the build requirements must be in .venv (pyproject.toml [build-system]).
.venv/bin/python -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.13" boost-headers nlohmann-json 2>&1 | grep -v "WARNING: Location" || true
.venv/bin/python -m pip install -q --no-build-isolation --no-deps . 2>&1 | grep -v "WARNING: Location" || true
.venv/bin/python -c "import stocklab" 
