#!/usr/bin/env bash
# Builds and runs every test: the GoogleTest suite of the C++ engine, then pytest.
# Needs a C++ compiler, CMake and GoogleTest (Debian: apt-get install g++ cmake libgtest-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_env.sh test
# The C++ tests build outside pip: give CMake the same header packages pip builds with.
.venv/bin/python -m pip install -q boost-headers nlohmann-json
mkdir -p build/cpp-tests
if ! cmake -S . -B build/cpp-tests -DSTOCKLAB_BUILD_TESTS=ON -DSTOCKLAB_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPython_EXECUTABLE="$PWD/.venv/bin/python" > build/cpp-tests/configure.log 2>&1; then
  # Our own FATAL_ERROR messages say in one line what is missing; otherwise show CMake's whole log.
  grep "^stocklab: " build/cpp-tests/configure.log || cat build/cpp-tests/configure.log
  exit 1
fi
cmake --build build/cpp-tests -j "$(nproc)"
ctest --test-dir build/cpp-tests --output-on-failure
.venv/bin/python -m pytest "$@"
