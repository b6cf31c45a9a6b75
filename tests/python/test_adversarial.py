"""Adversarial cases (issue 20 and after): what a hostile or careless user does, and the clear error
or correct result each must give. A growing file: add each new case here with its reproducer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import Executor, Future

import numpy as np
import pandas as pd
import pytest

import stocklab as sl
from stocklab import _core


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 60})


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs code in a fresh interpreter: a crash there fails the test instead of killing pytest."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)


# Crashes ---------------------------------------------------------------------------------------------
def test_two_threads_on_one_simulation_get_a_clear_error():
    """Issue 20.1: run_until releases the GIL; two threads in one engine corrupted the heap."""
    out = run_python("""
        import threading
        import stocklab as sl
        from stocklab import _core
        sc = sl.load_scenario("camera_lens").with_overrides(
            {"run.horizon_days": 365000, "run.record_ledger": False, "run.snapshot_interval_days": 0})
        sim = _core.Simulation(sc.parsed(), 3)
        start = threading.Barrier(2)
        errors = []
        def go(t):
            start.wait()
            try:
                sim.run_until(t)
            except RuntimeError as e:
                errors.append(e)
        threads = [threading.Thread(target=go, args=(t,)) for t in (365000, 360000)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert len(errors) == 1, errors
        assert isinstance(errors[0], _core.SimulationBusyError), errors
        print(errors[0])
        assert sim.invariants()["time_monotone"] and sim.now in (360000, 365000)
    """)
    assert out.returncode == 0, out.stderr
    assert "already running in another thread or in its own policy" in out.stdout


def test_policy_stepping_its_own_simulation_gets_a_clear_error(lens):
    """Issue 20.14: a policy that steps the Simulation that is asking it."""
    class Meddler(sl.ReplenishmentPolicy):
        sim = None

        def order(self, view):
            if self.sim is not None:  # None while the Simulation is being built (it asks at time 0)
                self.sim.step()
            return 0

    policy = Meddler()
    sim = _core.Simulation(lens.parsed(), 1, 0, policy)
    policy.sim = sim
    with pytest.raises(_core.SimulationBusyError, match="in its own policy"):
        sim.run_until(30)

    class Reader(Meddler):
        def order(self, view):
            if self.sim is not None:
                return self.sim.state["on_hand"] * 0
            return 0

    # A read from inside the policy is refused the same way: the engine is mid-event.
    policy2 = Reader()
    sim2 = _core.Simulation(lens.parsed(), 1, 0, policy2)
    policy2.sim = sim2
    with pytest.raises(_core.SimulationBusyError):
        while sim2.step():
            pass


def test_thread_start_failure_is_a_clear_error_not_an_abort():
    """Issue 20.2: under a memory limit, a thread that cannot start aborted the process (rc 134)."""
    out = run_python("""
        import resource
        import stocklab as sl
        from stocklab import _core
        sc = sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 60})
        parsed = sc.parsed()
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (used + (64 << 20), resource.RLIM_INFINITY))
        try:
            _core.run_replications(parsed, 1, 0, 4000, _core.max_jobs())
        except RuntimeError as e:
            print(e)
    """)
    assert out.returncode == 0, out.stderr
    assert "could not start thread" in out.stdout and "use fewer jobs" in out.stdout


@pytest.mark.parametrize("returned", [None, "7", True, 1j])
def test_review_period_of_the_wrong_type_is_a_clear_error(lens, returned):
    """Issue 20.14: review_period_days() returning None or a string gave a raw pybind cast error."""
    class Odd(sl.ReplenishmentPolicy):
        def order(self, view):
            return 0

        def review_period_days(self):
            return returned

    with pytest.raises(TypeError, match=r"policy.review_period_days\(\) returned .*: it must return a number"):
        sl.simulate(lens, seed=1, replenishment=Odd())


def test_review_hooks_accept_numpy_numbers(lens):
    np = pytest.importorskip("numpy")

    class Weekly(sl.ReplenishmentPolicy):
        def order(self, view):
            return 30 if view.inventory_position < 60 else 0

        def review_period_days(self):
            return np.float32(7)

        def review_offset_days(self):
            return np.int64(1)

    class Plain(Weekly):
        def review_period_days(self):
            return 7.0

        def review_offset_days(self):
            return 1

    a = sl.simulate(lens, seed=2, replenishment=Weekly()).summary
    b = sl.simulate(lens, seed=2, replenishment=Plain()).summary
    assert a.equals(b)


# Silent wrong results --------------------------------------------------------------------------------
@pytest.mark.parametrize("key, values", [
    ("run.seed", [1, 2]),
    ("/run/replications", [5, 10]),
    ("run", [{"horizon_days": 60, "seed": 3}]),
])
def test_sweeping_the_seed_or_the_replications_is_refused(lens, key, values):
    """Issue 20.6: such a sweep gave identical rows (seed) or kept n at run.replications, silently."""
    field = "seed" if "seed" in str(values) or "seed" in key else "replications"
    with pytest.raises(ValueError, match=rf"sets run\.{field}.*pass {field}= to sweep\(\)"):
        sl.sweep(lens, {key: values}, replications=2, progress=False)


def test_a_variant_with_its_own_seed_is_refused_by_compare(lens):
    """Issue 20.6: simulate() honoured a variant's run.seed, compare() ignored it."""
    doc = lens.to_dict()
    doc["policies"]["backorder"]["run"] = {"seed": 99}
    sc = sl.Scenario.from_dict(doc)
    assert sl.simulate(sc, policy="backorder").seed == 99  # one run: the variant's own seed
    with pytest.raises(ValueError, match=r"policy 'backorder' has run\.seed = 99 but the scenario has 1.*pass seed="):
        sl.compare(sc, replications=2, progress=False)
    with pytest.raises(ValueError, match=r"run\.seed"):  # even with seed= given: one rule, always
        sl.compare(sc, replications=2, seed=5, progress=False)
    with pytest.raises(ValueError, match=r"run\.replications = 7"):
        sl.compare(lens, policies={"x": {"run": {"replications": 7}}}, replications=2, progress=False)
    # A value equal to the scenario's changes nothing and is accepted.
    sl.compare(lens, policies={"x": {"run": {"seed": lens.seed}}}, replications=2, progress=False)


TRICKY_NAMES = ["N/A", "null", "NA", "None", "nan", "", "123", "True"]


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_policy_names_pandas_reads_as_missing_round_trip(lens, tmp_path, ext):
    """Issue 20.7: "N/A", "null", "NA", "None", "nan" came back as NaN and differences() had n = 0."""
    pytest.importorskip("pyarrow")
    names = [n for n in TRICKY_NAMES if n]  # "" is no valid policy name
    exp = sl.compare(lens, policies={n: "backorder" if i % 2 else "out_of_stock" for i, n in enumerate(names)},
                     replications=3, seed=4, progress=False)
    path = tmp_path / f"tricky.{ext}"
    exp.save(path)
    back = sl.load_results(path)
    pd.testing.assert_frame_equal(back.replications, exp.replications)
    assert back.policies == names
    assert (back.differences(baseline="N/A", metrics=["profit"])["n"] == 3).all()


@pytest.mark.parametrize("values", [TRICKY_NAMES, ["007", "123"], ["1e3", "true"]])
def test_text_sweep_values_round_trip_through_csv(lens, tmp_path, values):
    exp = sl.sweep(lens, {"description": values}, replications=2, seed=1, policies=["backorder"],
                   progress=False)
    exp.to_csv(tmp_path / "r.csv")
    back = sl.load_results(tmp_path / "r.csv")
    assert list(back.replications["description"].unique()) == values
    pd.testing.assert_frame_equal(back.replications, exp.replications)


# Data loss ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_experiment(lens) -> sl.Experiment:
    return sl.compare(lens, replications=4, seed=2, progress=False)


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_an_interrupted_write_keeps_the_old_file(small_experiment, tmp_path, monkeypatch, ext):
    """Issue 20.8: Ctrl-C while writing destroyed the good file and left a partial one."""
    pytest.importorskip("pyarrow")
    path = tmp_path / f"results.{ext}"
    small_experiment.save(path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def interrupted(*args, **kwargs):
        target = args[1] if ext == "parquet" else args[0] if ext == "json" else kwargs.get("path_or_buf", args[1])
        with open(target, "w") as f:
            f.write("half a file")
        raise KeyboardInterrupt

    if ext == "csv":
        monkeypatch.setattr(pd.DataFrame, "to_csv", lambda self, *a, **k: interrupted(self, *a, **k))
    elif ext == "parquet":
        import pyarrow.parquet as pq

        monkeypatch.setattr(pq, "write_table", lambda table, where, **k: interrupted(table, where))
    else:
        from stocklab import experiment

        def rows_then_interrupt(df, chunk=10_000):
            yield "[1, 2"
            raise KeyboardInterrupt

        monkeypatch.setattr(experiment, "_json_rows", rows_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        small_experiment.save(path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # old file whole, no temp files
    monkeypatch.undo()
    sl.load_results(path)


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_a_truncated_file_is_refused(small_experiment, tmp_path, ext):
    """Issue 20.8: a file cut short loaded as if complete, its metadata still naming every replication."""
    pytest.importorskip("pyarrow")
    path = tmp_path / f"results.{ext}"
    small_experiment.save(path)
    data = path.read_bytes()
    if ext == "csv":
        path.write_bytes(b"\n".join(data.split(b"\n")[:5]) + b"\n")  # whole lines, rows missing
    else:
        path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="incomplete|not a readable parquet|not a complete JSON"):
        sl.load_results(path)


def test_rows_that_do_not_match_the_metadata_are_refused(small_experiment, tmp_path):
    path = tmp_path / "r.csv"
    small_experiment.to_csv(path)
    df = pd.read_csv(path)
    df[df["replication"] != 3].to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"6 rows .* 4 replications x 2 policies .* x 1 configurations = 8 rows"):
        sl.load_results(path)


# Resources ---------------------------------------------------------------------------------------------
def test_devices_and_fifos_are_refused_at_once(tmp_path):
    """Issue 20.10: /dev/zero grew memory without bound (st_size is 0), a FIFO blocked forever."""
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    out = run_python(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY))
        import stocklab as sl
        for path in ["/dev/zero", {str(fifo)!r}]:
            try:
                sl.load_scenario(path)
            except sl.ScenarioError as e:
                print(e)
    """, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("is not a regular file") == 2, out.stdout


def test_the_size_limit_is_the_parsers(tmp_path):
    from stocklab import scenario

    assert scenario._MAX_BYTES == _core.max_scenario_bytes == 10 * 1024 * 1024
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (_core.max_scenario_bytes + 1))
    with pytest.raises(sl.ScenarioError, match="larger than 10,485,760 bytes; scenario files are limited to 10 MB"):
        sl.load_scenario(big)


def test_many_variants_are_parsed_once_each(lens, monkeypatch):
    """Issue 20.13: every (variant, replication block) re-parsed the whole document, all variants
    included: 2,000 variants took 29 s and 1.8 GB. Each variant is now parsed once, from the base and
    its own override only, and executors receive that one variant's document."""
    doc = lens.to_dict()
    doc["policies"] = {f"p{i}": {"replenishment": {"s": 60 + i}} for i in range(40)}
    sizes: list[int] = []
    real = _core.parse_scenario

    def counting(d, policy=""):
        d = json.loads(d) if isinstance(d, str) else d
        sizes.append(len(d.get("policies", {})))
        return real(d, policy)

    monkeypatch.setattr(_core, "parse_scenario", counting)
    sc = sl.Scenario.from_dict(doc)
    assert len(sizes) == 41 and max(sizes) <= 1
    sizes.clear()
    sl.compare(sc, replications=2, seed=1, jobs=1, progress=False)
    assert sizes == []  # the threads reuse the parsed variants
    with Inline() as pool:
        sl.compare(sc, replications=4, seed=1, executor=pool, chunk_size=2, progress=False)
    assert len(sizes) == 80 and max(sizes) <= 1  # two tasks per variant, each with its variant only


def test_parsing_once_still_reports_every_problem_of_every_variant(lens):
    """The linear parse stops at the first bad variant: the complete report must still come back."""
    doc = lens.to_dict()
    doc["sku"]["price"] = -1
    doc["policies"]["backorder"]["supplier"] = {"lead_time": {"dist": "gamma", "mean": -3, "cv": 0.3}}
    doc["policies"]["out_of_stock"]["shortage"]["rule"] = "nope"
    with pytest.raises(sl.ScenarioError) as e:
        sl.Scenario.from_dict(doc)
    assert [p for p, _ in e.value.problems] == [
        "/sku/price", "/policies/out_of_stock/shortage/rule", "/policies/backorder/supplier/lead_time/mean"]


class Inline(Executor):
    """An executor that runs each task at once, in this process."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


# Unclear errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"jobs": 2**31}, r"jobs=2147483648 is more than the limit of \d+ threads"),
    ({"jobs": 0}, "jobs must be a positive int"),
    ({"chunk_size": -1}, "chunk_size must be a positive int"),
    ({"chunk_size": 0}, "chunk_size must be a positive int"),
    ({"chunk_size": 0.5}, "chunk_size must be a positive int"),
    ({"chunk_size": -1, "executor": Inline()}, "chunk_size must be a positive int"),
    ({"policies": []}, "policies is empty"),
    ({"policies": ["backorder", "backorder"]}, "listed twice"),
    ({"replications": 0}, "replications must be a positive int"),
    ({"replications": "auto", "precision": {"metric": "profit", "half_width": 1}, "max_replications": 1},
     "max_replications must be an int >= 2"),
])
def test_bad_experiment_arguments_are_named(lens, kwargs, match):
    with pytest.raises(ValueError, match=match):
        sl.compare(lens, **{"replications": 2, "progress": False, **kwargs})


def test_numpy_numbers_are_accepted_wherever_numbers_are(lens):
    """Issue 20.14: numpy scalars work wherever Python ints and floats do, with the same results."""
    plain = sl.compare(lens, replications=3, seed=5, jobs=2, chunk_size=2, progress=False)
    numpy = sl.compare(lens, replications=np.int64(3), seed=np.uint64(5), jobs=np.int32(2),
                       chunk_size=np.int64(2), progress=False)
    pd.testing.assert_frame_equal(plain.replications, numpy.replications)
    pd.testing.assert_frame_equal(plain.summary(level=0.9), numpy.summary(level=np.float32(0.9)))
    auto = sl.compare(lens, replications="auto", seed=5, progress=False, max_replications=np.int64(20),
                      precision={"metric": "profit", "half_width": np.float32(1e9)})
    assert auto.meta["replications"] == 20
    swept = sl.sweep(lens, {"replenishment.s": np.array([80, 120])}, replications=2, progress=False)
    assert list(swept.replications["replenishment.s"].unique()) == [80, 120]


@pytest.mark.parametrize("level", [1.5, 0, 1, -0.1, float("nan"), "0.9", True, None])
def test_a_level_outside_zero_one_is_refused(small_experiment, level):
    """Issue 20.14: summary(level=1.5) gave NaN CIs."""
    with pytest.raises(ValueError, match="level must be a number between 0 and 1"):
        small_experiment.summary(level=level)
    with pytest.raises(ValueError, match="level must be"):
        small_experiment.differences(level=level)


def test_seeds_have_one_range_everywhere(lens):
    """Issue 20.14: every entry point accepts seeds in [0, 2**64) and refuses the rest alike."""
    top = 2**64 - 1
    a = sl.compare(lens, replications=1, seed=top, policies=["backorder"], progress=False)
    b = sl.simulate(lens, seed=top, policy="backorder")
    assert a.replications["profit"].iloc[0] == b.summary["profit"]
    for bad in (2**64, -1):
        for call in (lambda s: sl.compare(lens, replications=1, seed=s, progress=False),
                     lambda s: sl.sweep(lens, {"replenishment.s": [90]}, replications=1, seed=s, progress=False),
                     lambda s: sl.simulate(lens, seed=s),
                     lambda s: sl.Simulation(lens, seed=s)):
            with pytest.raises(ValueError, match=r"seed must be in \[0, 2\*\*64\)"):
                call(bad)


LEAD_TIMES = [{"dist": "constant", "value": 14}, {"dist": "gamma", "mean": 21, "cv": 0.3}]


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_a_dict_valued_sweep_summarises_and_round_trips(lens, tmp_path, ext):
    """Issue 20.14: a dict-valued field failed at summary(), and parquet reloads added None keys."""
    pytest.importorskip("pyarrow")
    exp = sl.sweep(lens, {"supplier.lead_time": LEAD_TIMES}, replications=2, seed=3, progress=False)
    texts = [json.dumps(v, sort_keys=True) for v in LEAD_TIMES]
    assert list(exp.replications["supplier.lead_time"].unique()) == texts
    assert len(exp.summary(["profit"])) == 4
    one = exp.select({"supplier.lead_time": LEAD_TIMES[1]})
    assert set(one.replications["supplier.lead_time"]) == {texts[1]}
    d = exp.config_differences({"supplier.lead_time": LEAD_TIMES[0]}, ["profit"])
    assert list(d["supplier.lead_time"]) == [texts[1]]
    exp.save(tmp_path / f"r.{ext}")
    back = sl.load_results(tmp_path / f"r.{ext}")
    pd.testing.assert_frame_equal(back.replications, exp.replications)
    pd.testing.assert_frame_equal(back.summary(), exp.summary())


def test_variance_reduction_is_never_infinite(lens):
    """Issue 18: two identical policies gave variance_reduction = inf."""
    exp = sl.compare(lens, policies={"a": "backorder", "b": "backorder"}, replications=3, progress=False)
    d = exp.differences(metrics=["profit", "lost_units"])
    assert d["variance_reduction"].isna().all() and not np.isinf(d["variance_reduction"]).any()
    assert set(d["note"]) == {"identical in every replication"}


def test_a_policy_whose_init_never_ran_is_refused_not_a_crash(camera_lens):
    class Half(sl.ReplenishmentPolicy):
        def order(self, view):
            return 0

    policy = Half.__new__(Half)  # its C++ part was never made: this segfaulted in simulate()
    with pytest.raises(TypeError, match="__init__ did not run"):
        sl.simulate(camera_lens, seed=1, replenishment=policy)
    with pytest.raises(TypeError, match="__init__ did not run"):
        sl.Simulation(camera_lens, seed=1, replenishment=policy)


def test_a_busy_error_leaves_the_simulation_open(camera_lens):
    sim = sl.Simulation(camera_lens, seed=1)

    def busy():
        raise sl._core.SimulationBusyError("this Simulation is already running")

    with pytest.raises(sl._core.SimulationBusyError):
        sim._guard(busy)
    sim.run_until(np.float32(10.0))  # still open; numpy numbers are numbers
    sim.run_until(np.int64(20))
    assert sim.now == 20
