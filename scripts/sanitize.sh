#!/usr/bin/env bash
# Builds the C++ core and its GoogleTest suite with AddressSanitizer + UndefinedBehaviorSanitizer and
# runs it: any memory error or undefined behaviour fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip install -q boost-headers nlohmann-json
cmake -S . -B build/sanitize -DSTOCKLAB_BUILD_TESTS=ON -DSTOCKLAB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DPython_EXECUTABLE="$PWD/.venv/bin/python" > /dev/null
cmake --build build/sanitize -j "$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/sanitize --output-on-failure
