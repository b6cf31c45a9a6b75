#!/usr/bin/env bash
# Creates .venv (if missing) and installs stocklab into it with the given extras; skips the build
# when nothing that goes into the package changed since the last install with those extras.
# Usage: scripts/setup_env.sh [extras]   e.g. scripts/setup_env.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
extras=${1:-}
spec="."
if [ -n "$extras" ]; then spec=".[$extras]"; fi
# One install at a time: parallel builds into one venv would clash.
exec 9>.venv/.install.lock
flock 9
sources=$(find cpp python scenarios CMakeLists.txt pyproject.toml -type f -not -path '*/__pycache__/*' -print0 |
          sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
# A stamp per set of extras holds the sources' digest at its install; a plain install is current
# after an install with any extras (they include the package itself).
up_to_date() {
  local s
  for s in ".venv/.installed${extras:+-$extras}" $([ -z "$extras" ] && echo .venv/.installed*); do
    [ -f "$s" ] && [ "$(cat "$s")" = "$sources" ] && return 0
  done
  return 1
}
if up_to_date && .venv/bin/python -c "import stocklab" 2>/dev/null; then exit 0; fi
rm -f .venv/.installed*  # a new build replaces the package for every set of extras
.venv/bin/python -m pip install -q "$spec"
echo "$sources" > ".venv/.installed${extras:+-$extras}"
