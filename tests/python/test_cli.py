"""The command line: run, sweep, validate, schema; errors; Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import stocklab as sl

LENS = str(sl.scenario.data_dir() / "camera_lens.json")


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "STOCKLAB_NO_PROGRESS": "1"}
    return subprocess.run([sys.executable, "-m", "stocklab.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def short_lens(tmp_path: Path) -> str:
    sc = sl.load_scenario(LENS).with_overrides({"run.horizon_days": 60})
    p = tmp_path / "lens60.json"
    p.write_text(sc.to_json())
    return str(p)


def test_run_json_shape(tmp_path):
    out = cli("run", short_lens(tmp_path), "--replications", "5", "--seed", "3", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["scenario"] == "camera_lens" and doc["seed"] == 3 and doc["replications"] == 5
    assert list(doc["policies"]) == ["out_of_stock", "backorder"]
    for pol in doc["policies"].values():
        assert set(pol) == set(sl.METRICS)
        fr = pol["fill_rate"]
        assert fr["ci95"][0] <= fr["mean"] <= fr["ci95"][1]
    # NaN metrics (no backorders under lost sales) are JSON null, not the invalid token NaN.
    assert doc["policies"]["out_of_stock"]["mean_backorder_wait_days"]["mean"] is None
    # The CLI agrees with the Python API for the same seed.
    exp = sl.compare(sl.load_scenario(short_lens(tmp_path)), replications=5, seed=3, jobs=1, progress=False)
    s = exp.summary(["profit"]).set_index("policy")["mean"]
    assert doc["policies"]["backorder"]["profit"]["mean"] == pytest.approx(s["backorder"], rel=1e-12)


def test_run_table_and_out(tmp_path):
    out_file = tmp_path / "reps.csv"
    out = cli("run", short_lens(tmp_path), "-n", "4", "--out", str(out_file), "--jobs", "2")
    assert out.returncode == 0, out.stderr
    assert "fill_rate" in out.stdout and "out_of_stock" in out.stdout and "Paired differences" in out.stdout
    back = sl.load_results(out_file)
    assert len(back.replications) == 8


def test_run_jobs_do_not_change_results(tmp_path):
    a = cli("run", short_lens(tmp_path), "-n", "4", "--json", "--jobs", "1")
    b = cli("run", short_lens(tmp_path), "-n", "4", "--json", "--jobs", "2")
    assert a.returncode == 0 and a.stdout == b.stdout


def test_sweep(tmp_path):
    out_file = tmp_path / "sweep.csv"
    out = cli("sweep", short_lens(tmp_path), "--grid", "replenishment.s=80,120", "-n", "3", "--out", str(out_file),
              "--metric", "fill_rate")
    assert out.returncode == 0, out.stderr
    assert "replenishment.s" in out.stdout
    assert sorted(sl.load_results(out_file).replications["replenishment.s"].unique()) == [80, 120]
    bad = cli("sweep", short_lens(tmp_path), "--grid", "replenishment.nope=1,2", "-n", "2")
    assert bad.returncode == 2 and "/replenishment/nope" in bad.stderr and "Traceback" not in bad.stderr


def test_validate_and_schema():
    ok = cli("validate", LENS)
    assert ok.returncode == 0 and "valid" in ok.stdout
    sch = cli("schema")
    assert sch.returncode == 0 and json.loads(sch.stdout) == sl.schema()


@pytest.mark.parametrize(
    "content, pointer",
    [
        ("{not json", "/"),
        ('{"schema_version": 1}', "/name"),
    ],
)
def test_validate_rejects_with_pointer(tmp_path, content, pointer):
    p = tmp_path / "bad.json"
    p.write_text(content)
    out = cli("validate", str(p))
    assert out.returncode != 0
    assert out.stderr.startswith("stocklab: error: " + pointer)
    assert "Traceback" not in out.stderr


def test_missing_file_and_bad_args():
    out = cli("validate", "/no/such/file.json")
    assert out.returncode == 2 and "no scenario file" in out.stderr and "Traceback" not in out.stderr
    out = cli("run", LENS, "--replications", "zero")
    assert out.returncode == 2 and "positive integer" in out.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_promptly_without_stray_processes(tmp_path):
    sc = sl.load_scenario(LENS).with_overrides({"run.horizon_days": 3650})
    p = tmp_path / "long.json"
    p.write_text(sc.to_json())
    env = {**os.environ, "STOCKLAB_NO_PROGRESS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "stocklab.cli", "run", str(p), "-n", "100000", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # The CLI announces a long experiment on stderr before it starts: interrupt only once it runs
    # (an interrupt during interpreter start-up would test Python, not stocklab).
    first = proc.stderr.readline()
    assert "events to simulate" in first, first
    time.sleep(1.0)
    assert proc.poll() is None, "the experiment finished too soon to test interruption"
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    assert children.stdout.strip() == ""
