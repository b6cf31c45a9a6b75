"""Every bad scenario is refused with a ScenarioError naming the field and the rule, quickly and cleanly.

The corpus is tests/data/bad_scenarios/; expected.json says, for each file, the JSON pointer the error
must name (or a prefix of it) and a word of the rule. Files too big to commit are generated into a
temporary folder (the manifest's "generated" section).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import stocklab as sl

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "bad_scenarios"
MANIFEST = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FILES: dict[str, dict] = MANIFEST["files"]
GENERATED: dict[str, dict] = MANIFEST["generated"]
EXPECTED: dict[str, dict] = {**FILES, **GENERATED}
GOOD = ROOT / "scenarios" / "camera_lens.json"
TIME_LIMIT_S = 1.0
MB = 1024 * 1024


def pointer_matches(actual: str, expected: str) -> bool:
    """`actual` is `expected` or lies below it ("/" only matches itself: it is the whole document)."""
    return actual == expected or (expected != "/" and actual.startswith(expected.rstrip("/") + "/"))


# --- files too big to commit --------------------------------------------------------------------------
def _good_text() -> str:
    return GOOD.read_text(encoding="utf-8").rstrip()


def _padded(path: Path, size: int) -> None:
    """A good scenario followed by whitespace (valid JSON) up to `size` bytes."""
    head = _good_text().encode()
    with path.open("wb") as f:
        f.write(head)
        left = size - len(head)
        chunk = b" " * MB
        while left > 0:
            f.write(chunk[: min(left, MB)])
            left -= MB


def _deep_arrays(path: Path) -> None:
    n = 1_000_000
    path.write_bytes(b"[" * n + b"]" * n)


def _empirical_too_long(path: Path) -> None:
    doc = json.loads(_good_text())
    doc["supplier"]["lead_time"] = {"dist": "empirical", "values": [21] * 100_001}
    path.write_text(json.dumps(doc), encoding="utf-8")


def _object_650k_keys(path: Path) -> None:
    keys = ", ".join(f'"k{i:07d}": 0' for i in range(650_000))
    text = '{"description": "first", ' + keys + "}"
    assert 8 * MB < len(text) < 10 * MB
    path.write_text(text, encoding="utf-8")


def _policies_10001(path: Path) -> None:
    doc = json.loads(_good_text())
    doc["description"] = "BAD: 10001 policy variants"
    doc["policies"] = {f"p{i}": {} for i in range(10_001)}
    path.write_text(json.dumps(doc), encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "generated_100mb.json": lambda p: _padded(p, 100 * MB),
    "generated_just_over_10mb.json": lambda p: _padded(p, 10 * MB + 1),
    "generated_deep_arrays_1e6.json": _deep_arrays,
    "generated_empirical_too_long.json": _empirical_too_long,
    "generated_object_650k_keys.json": _object_650k_keys,
    "generated_policies_10001.json": _policies_10001,
}


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Path of a corpus file by name; generated files are built once, on first use."""
    folder = tmp_path_factory.mktemp("bad_scenarios")

    def get(name: str) -> Path:
        if name in FILES:
            return CORPUS / name
        path = folder / name
        if not path.exists():
            GENERATORS[name](path)
        return path

    return get


# --- the manifest ------------------------------------------------------------------------------------
def test_manifest_lists_exactly_the_corpus() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.name != "expected.json"}
    assert on_disk == set(FILES)
    assert set(GENERATED) == set(GENERATORS)
    assert len(FILES) >= 70
    for name, exp in EXPECTED.items():
        assert exp["pointer"].startswith("/"), name
        assert exp["rule"].strip(), name
    big = [p.name for p in CORPUS.iterdir() if p.stat().st_size > 100_000]
    assert not big, f"generate files over 100 KB in the test instead of committing them: {big}"


def test_generated_files_are_what_they_claim(bad_file: Callable[[str], Path]) -> None:
    assert bad_file("generated_100mb.json").stat().st_size == 100 * MB
    assert bad_file("generated_just_over_10mb.json").stat().st_size == 10 * MB + 1
    # the padded files are valid JSON apart from their size, so the size limit is what rejects them
    assert (
        json.loads(bad_file("generated_just_over_10mb.json").read_text(encoding="utf-8"))["name"]
        == "camera_lens"
    )


# --- the Python API ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_scenario_refuses(name: str, bad_file: Callable[[str], Path]) -> None:
    path = bad_file(name)
    exp = EXPECTED[name]
    start = time.perf_counter()
    with pytest.raises(sl.ScenarioError) as info:
        sl.load_scenario(path)
    elapsed = time.perf_counter() - start
    err = info.value
    assert isinstance(err, ValueError)
    assert pointer_matches(err.pointer, exp["pointer"]), (
        f"pointer {err.pointer!r}, expected {exp['pointer']!r}: {err}"
    )
    assert exp["rule"].lower() in err.rule.lower(), f"rule {err.rule!r} lacks {exp['rule']!r}"
    assert str(err).startswith(err.pointer), str(err)
    assert elapsed < TIME_LIMIT_S, f"took {elapsed:.2f} s"


# --- the command line ----------------------------------------------------------------------------------
CLI_CASES = sorted(name for name, exp in EXPECTED.items() if exp.get("cli"))


def test_cli_subset_covers_the_hard_cases() -> None:
    for must in (
        "generated_100mb.json",
        "generated_deep_arrays_1e6.json",
        "deep_nested_arrays.json",
        "nonutf8_invalid_bytes.json",
        "empty.json",
        "policy_bad_level.json",
    ):
        assert must in CLI_CASES
    assert 12 <= len(CLI_CASES) <= 20


class _ValidateRun:
    """`stocklab validate FILE`, started at once and read when a test asks. The processes are started
    from this thread: spawning them from a pool of threads failed now and then under load (EFAULT)."""

    def __init__(self, path: Path) -> None:
        self._proc = subprocess.Popen([sys.executable, "-m", "stocklab.cli", "validate", str(path)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      encoding="utf-8", errors="replace")
        self._done: subprocess.CompletedProcess[str] | None = None

    def result(self) -> subprocess.CompletedProcess[str]:
        if self._done is None:
            out, err = self._proc.communicate(timeout=120)
            self._done = subprocess.CompletedProcess(self._proc.args, self._proc.returncode, out, err)
        return self._done

    def close(self) -> None:
        if self._done is None:
            self._proc.kill()
            self._proc.communicate()


@pytest.fixture(scope="module")
def cli_runs(bad_file: Callable[[str], Path]) -> Iterator[dict[str, _ValidateRun]]:
    """`stocklab validate` on every CLI case, started together (each process spends most of its time
    importing stocklab); the tests below each check their own."""
    runs = {name: _ValidateRun(bad_file(name)) for name in CLI_CASES}
    yield runs
    for run in runs.values():
        run.close()


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_validate_refuses(name: str, bad_file: Callable[[str], Path], cli_runs) -> None:
    path = bad_file(name)
    exp = EXPECTED[name]
    proc = cli_runs[name].result()
    assert proc.returncode > 0, (proc.returncode, proc.stdout, proc.stderr)  # < 0 would be a crash (signal)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "valid (" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stocklab: error: "), proc.stderr
    message = lines[0].removeprefix("stocklab: error: ")
    pointer = message.split(": ", 1)[0]
    assert pointer_matches(pointer, exp["pointer"]), proc.stderr
    # the same error the Python API gives
    with pytest.raises(sl.ScenarioError) as info:
        sl.load_scenario(path)
    assert message == str(info.value)
