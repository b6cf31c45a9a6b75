#!/usr/bin/env bash
# Fuzzes the scenario parser (and short runs of what it accepts) with libFuzzer + ASan/UBSan.
# Usage: scripts/fuzz.sh [seconds]  (default 60). Needs clang and its runtime
# (Debian: apt-get install clang-14 libclang-rt-14-dev). Crashes are written to build/fuzz/findings/;
# add each as a regression input under tests/data/bad_scenarios/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CXX=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}
.venv/bin/python -m pip install -q boost-headers nlohmann-json
inc() { .venv/bin/python -c "import importlib.util as u, pathlib as p; print(p.Path(list(u.find_spec('$1').submodule_search_locations)[0]) / 'include')"; }
mkdir -p build/fuzz/corpus build/fuzz/findings
"$CXX" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Icpp -isystem "$(inc boost_headers)" -isystem "$(inc nlohmann_json)" \
  cpp/scenario/*.cpp cpp/model/*.cpp tests/fuzz/fuzz_scenario.cpp -o build/fuzz/fuzz_scenario
cp scenarios/*.json build/fuzz/corpus/
if [ -d tests/data/bad_scenarios ]; then
  find tests/data/bad_scenarios -type f -size -64k -exec cp {} build/fuzz/corpus/ \;
fi
build/fuzz/fuzz_scenario build/fuzz/corpus -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2048 \
  -timeout=10 -artifact_prefix=build/fuzz/findings/ -print_final_stats=1 2>&1 | tail -25
