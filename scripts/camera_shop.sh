#!/usr/bin/env bash
# The main job: build stocklab into .venv and compare the camera shop's policies (out of stock,
# backorders on every item, backorders on bodies and lenses only): the store's metrics with 95% CIs
# and paired differences, then the same per item (--by item).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_env.sh
# The README's tables: 100 replications, seed 42 (arguments given here override them).
exec .venv/bin/stocklab run scenarios/camera_shop.json --by item --replications 100 --seed 42 "$@"
