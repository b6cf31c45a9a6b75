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
    # PYTHONFAULTHANDLER: if it ever hangs, SIGABRT below makes it print every thread's stack.
    env = {**os.environ, "STOCKLAB_NO_PROGRESS": "1", "PYTHONFAULTHANDLER": "1"}
    # A run started in the background by a non-interactive shell inherits Ctrl-C ignored (and Python
    # keeps an ignored SIGINT ignored): give the CLI the terminal's default, as a user's shell does.
    proc = subprocess.Popen([sys.executable, "-m", "stocklab.cli", "run", str(p), "-n", "100000", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # The CLI announces a long experiment on stderr before it starts: interrupt only once it runs
        # (an interrupt during interpreter start-up would test Python, not stocklab).
        first = proc.stderr.readline()
        assert "events to simulate" in first, first
        time.sleep(1.0)
        assert proc.poll() is None, "the experiment finished too soon to test interruption"
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            out, err = proc.communicate(timeout=30)
            pytest.fail(f"still running 30 s after Ctrl-C; its threads when aborted:\n{err}")
    finally:
        if proc.poll() is None:  # never leave a 100,000-replication run behind for the next tests
            proc.kill()
            proc.communicate()
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    assert children.stdout.strip() == ""


def test_version_and_examples_in_every_help():
    out = cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"stocklab {sl.__version__}"
    for command in ([], ["run"], ["sweep"], ["optimize"], ["validate"], ["schema"]):
        text = cli(*command, "--help").stdout
        assert "examples:" in text, command
    run_help = cli("run", "--help").stdout
    assert "--metric NAME[,NAME...]" in run_help and ".parquet" in run_help


@pytest.mark.parametrize("out, message", [
    ("", "the output path is empty"),
    ("results.txt", "unknown output format '.txt'"),
    ("results", "unknown output format '(no extension)'"),
    ("/nonexistent/x.parquet", "the folder '/nonexistent' does not exist"),
    ("/proc/x.csv", "cannot write in '/proc'"),
    (".", "unknown output format"),
])
def test_bad_out_fails_before_running(tmp_path, out, message):
    """Issues 18 and 20.9: --out was checked after the whole run (results lost) or not at all."""
    start = time.monotonic()
    res = cli("run", short_lens(tmp_path), "-n", "100000", "--out", out, timeout=60)
    assert res.returncode == 2 and message in res.stderr, res.stderr
    assert time.monotonic() - start < 30  # 100,000 replications were not run first
    assert "Traceback" not in res.stderr and "Error:" not in res.stderr


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_out_formats_by_extension(tmp_path, ext):
    pytest.importorskip("pyarrow")
    path = tmp_path / f"reps.{ext}"
    res = cli("run", short_lens(tmp_path), "-n", "3", "--out", str(path))
    assert res.returncode == 0, res.stderr
    assert len(sl.load_results(path).replications) == 6
    if ext == "csv":
        import pandas as pd

        assert len(pd.read_csv(path)) == 6 and (tmp_path / "reps.csv.meta.json").exists()


def test_run_json_has_the_paired_differences(tmp_path):
    out = cli("run", short_lens(tmp_path), "-n", "5", "--seed", "3", "--json", "--metric", "profit,fill_rate")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["baseline"] == "out_of_stock" and set(doc["policies"]["backorder"]) == {"profit", "fill_rate"}
    d = doc["differences"]["backorder"]["profit"]
    assert set(d) == {"difference", "ci95", "variance_reduction", "n", "note"} and d["n"] == 5
    exp = sl.compare(sl.load_scenario(short_lens(tmp_path)), replications=5, seed=3, progress=False)
    row = exp.differences(metrics=["profit"]).iloc[0]
    assert d["difference"] == pytest.approx(row["difference"], rel=1e-12)
    assert d["ci95"] == pytest.approx([row["ci95_low"], row["ci95_high"]], rel=1e-12)
    other = json.loads(cli("run", short_lens(tmp_path), "-n", "5", "--seed", "3", "--json",
                           "--baseline", "backorder", "--metric", "profit").stdout)
    assert other["differences"]["out_of_stock"]["profit"]["difference"] == pytest.approx(-d["difference"])


def test_sweep_json_and_differences_per_configuration(tmp_path):
    args = ["sweep", short_lens(tmp_path), "--grid", "replenishment.s=60,100,140", "-n", "3"]
    out = cli(*args, "--metric", "profit", "--metric", "lost_units", "--baseline", "replenishment.s=100", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["grid"] == {"replenishment.s": [60, 100, 140]} and doc["baseline"] == {"replenishment.s": 100}
    assert [c["config"] for c in doc["configurations"]] == [{"replenishment.s": s} for s in (60, 100, 140)]
    diffs = {(d["policy"], d["config"]["replenishment.s"]): d for d in doc["differences"]}
    assert set(diffs) == {(p, s) for p in ("out_of_stock", "backorder") for s in (60, 140)}
    assert set(diffs["backorder", 60]["metrics"]) == {"profit", "lost_units"}
    text = cli(*args, "--metric", "profit")
    assert text.returncode == 0 and "Paired differences" in text.stdout and "replenishment.s=60" in text.stdout
    bad = cli(*args, "--baseline", "replenishment.s=70")
    assert bad.returncode == 2 and "not one of the swept values" in bad.stderr


def test_sweep_notes_identical_configurations(tmp_path):
    out = cli("sweep", short_lens(tmp_path), "--grid", "description=a,b", "-n", "2", "--metric", "profit")
    assert out.returncode == 0, out.stderr
    assert 'note: description="b" gave the same results as description="a"' in out.stdout


def test_metric_flags_and_commas(tmp_path):
    out = cli("run", short_lens(tmp_path), "-n", "2", "--metric", "profit,fill_rate", "--metric", "lost_units")
    assert out.returncode == 0, out.stderr
    table = out.stdout.split("Paired")[0]
    assert all(m in table for m in ("profit", "fill_rate", "lost_units")) and "revenue" not in table
    bad = cli("run", short_lens(tmp_path), "-n", "2", "--metric", "profit,nope")
    assert bad.returncode == 2 and "unknown metric(s) 'nope'" in bad.stderr


def test_jobs_and_seed_limits(tmp_path):
    out = cli("run", short_lens(tmp_path), "-n", "2", "--jobs", "100000")
    assert out.returncode == 2 and "more than the limit of" in out.stderr
    out = cli("run", short_lens(tmp_path), "-n", "2", "--seed", str(2**64))
    assert out.returncode == 2 and "[0, 2**64)" in out.stderr


def test_validate_notes_when_churn_is_off(tmp_path):
    doc = sl.load_scenario(LENS).to_dict()
    del doc["customers"]["loyalty"]
    p = tmp_path / "no_loyalty.json"
    p.write_text(json.dumps(doc))
    out = cli("validate", str(p))
    assert out.returncode == 0 and "note: churn is off" in out.stdout
    assert "note:" not in cli("validate", LENS).stdout


def test_errors_without_python_class_names(tmp_path):
    (tmp_path / "dir.json").mkdir()
    os.mkfifo(tmp_path / "fifo.json")  # used to block forever (/dev/zero, which ate memory: test_adversarial)
    for args in (["validate", "/no/such/file.json"], ["validate", str(tmp_path / "dir.json")],
                 ["validate", str(tmp_path / "fifo.json")], ["run", LENS, "--baseline", "nope", "-n", "2"]):
        out = cli(*args, timeout=60)
        assert out.returncode == 2 and out.stderr.startswith("stocklab: error: "), (args, out.stderr)
        assert "Error:" not in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_optimize_out_is_checked_before_the_search():
    for out, message in (("h.txt", "use a name ending in .csv"), ("/nonexistent/h.csv", "does not exist")):
        res = cli("optimize", LENS, "--space", "replenishment.s=60:140:20", "--delta", "500", "--out", out)
        assert res.returncode == 2 and message in res.stderr, res.stderr


def test_run_by_item_and_segment():
    shop = str(Path(__file__).resolve().parents[2] / "tests" / "data" / "stores" / "small_shop.json")
    out = cli("run", shop, "-n", "4", "--by", "item", "--metric", "fill_rate,gross_margin")
    assert out.returncode == 0, out.stderr
    assert "Fill rate (fraction) per item" in out.stdout and "Gross margin (currency) per item" in out.stdout
    rows = [line.split()[0] for line in out.stdout.splitlines()[-6:] if line.strip()]
    assert rows[-4:] == ["lens_50", "lens_35", "body", "strap"]  # the scenario's order
    out = cli("run", shop, "-n", "4", "--by", "segment")
    assert out.returncode == 0, out.stderr
    assert "Mean loyalty (fraction) per segment" in out.stdout and "pros" in out.stdout
    out = cli("run", LENS, "-n", "2", "--by", "item")
    assert out.returncode != 0 and "store-format" in out.stderr and "Traceback" not in out.stderr


def test_run_by_item_as_json_has_each_items_metrics_and_differences():
    shop = Path(__file__).resolve().parents[2] / "scenarios" / "camera_shop.json"
    out = cli("run", str(shop), "-n", "4", "--by", "item", "--metric", "fill_rate,gross_margin", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert list(doc["item"]) == list(json.loads(shop.read_text())["items"])  # the scenario's order
    for item in doc["item"].values():
        assert set(item["policies"]) == set(doc["policies"])
        for metrics in item["policies"].values():
            assert set(metrics) == {"fill_rate", "gross_margin"}
            assert metrics["fill_rate"]["ci95"][0] <= metrics["fill_rate"]["mean"] <= metrics["fill_rate"]["ci95"][1]
        assert set(item["differences"]) == set(doc["policies"]) - {doc["baseline"]}
    assert "profit" in doc["policies"][doc["baseline"]]  # the store's own key metrics stay


def test_run_checks_metric_names_against_by_before_running():
    shop = str(Path(__file__).resolve().parents[2] / "tests" / "data" / "stores" / "small_shop.json")
    for args, message in ((["--by", "item", "--metric", "profit"], "per item"),
                          (["--metric", "gross_margin"], "need --by item|segment")):
        out = cli("run", shop, "-n", "4", *args)
        assert out.returncode == 2 and message in out.stderr and out.stdout == "", (args, out.stderr)
    out = cli("sweep", shop, "--grid", "items.lens_50.replenishment.s=4,8", "-n", "2", "--metric", "gross_margin")
    assert out.returncode == 2 and "shown by stocklab run --by" in out.stderr and out.stdout == "", out.stderr
