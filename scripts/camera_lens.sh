#!/usr/bin/env bash
# The main job: build stocklab into .venv and compare "out of stock" with "backorder" for the
# camera-lens scenario (mean and 95% CI per policy, and paired differences).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_env.sh
exec .venv/bin/stocklab run scenarios/camera_lens.json "$@"
