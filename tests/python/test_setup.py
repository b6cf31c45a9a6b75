"""Set-up: what a new machine without a dependency is told."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("cmake") is None, reason="needs CMake")
def test_missing_googletest_is_one_line_naming_the_package(tmp_path):
    """Issue 18: without GoogleTest, CMake printed a stack of FindGTest errors. Hidden here with
    CMAKE_DISABLE_FIND_PACKAGE_GTest, as if it were not installed."""
    out = subprocess.run(
        ["cmake", "-S", str(ROOT), "-B", str(tmp_path), "-DSTOCKLAB_BUILD_TESTS=ON",
         "-DCMAKE_DISABLE_FIND_PACKAGE_GTest=TRUE", f"-DPython_EXECUTABLE={sys.executable}"],
        capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.startswith("stocklab: ")]
    assert lines == ["stocklab: GoogleTest not found: install it (Debian/Ubuntu: apt-get install libgtest-dev), "
                     "or configure without -DSTOCKLAB_BUILD_TESTS=ON"]
