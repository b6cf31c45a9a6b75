"""Experiments: replications, paired differences, sweeps, threads, executors, persistence."""

from __future__ import annotations

import json
import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stocklab as sl


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 90})


def _same(a: sl.Experiment, b: sl.Experiment) -> None:
    pd.testing.assert_frame_equal(a.replications, b.replications)


def test_tidy_replications_and_summary(lens):
    exp = sl.compare(lens, replications=6, seed=3, jobs=2, progress=False)
    df = exp.replications
    assert list(df.columns[:2]) == ["policy", "replication"]
    assert len(df) == 12 and set(df["policy"]) == {"out_of_stock", "backorder"}
    assert list(df[df.policy == "backorder"]["replication"]) == list(range(6))
    s = exp.summary(["fill_rate", "profit"])
    assert set(s.columns) >= {"policy", "metric", "mean", "sem", "ci95_low", "ci95_high", "n"}
    row = s[(s.policy == "backorder") & (s.metric == "profit")].iloc[0]
    x = df[df.policy == "backorder"]["profit"].to_numpy()
    half = stats.t.ppf(0.975, 5) * x.std(ddof=1) / math.sqrt(6)
    assert row["mean"] == pytest.approx(x.mean())
    assert row["ci95_high"] - row["mean"] == pytest.approx(half)
    assert "fill_rate" in exp.table(["fill_rate"]).index


def test_replication_matches_single_simulate(lens):
    exp = sl.compare(lens, replications=3, seed=8, jobs=1, progress=False)
    one = sl.simulate(lens, seed=8, policy="backorder", replication=2).summary
    row = exp.replications.query("policy == 'backorder' and replication == 2")[list(sl.METRICS)].iloc[0]
    np.testing.assert_array_equal(row.to_numpy(dtype=float), one.to_numpy(dtype=float))


def test_bit_identical_across_jobs_and_executors(lens):
    base = sl.compare(lens, replications=8, seed=5, jobs=1, progress=False)
    _same(base, sl.compare(lens, replications=8, seed=5, jobs=2, progress=False))
    _same(base, sl.compare(lens, replications=8, seed=5, jobs=2, progress=False, chunk_size=3))
    with ProcessPoolExecutor(max_workers=2) as pool:
        _same(base, sl.compare(lens, replications=8, seed=5, executor=pool, progress=False))


def test_bit_identical_on_dask(lens):
    distributed = pytest.importorskip("distributed")
    base = sl.compare(lens, replications=6, seed=5, jobs=1, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        exp = sl.compare(lens, replications=6, seed=5, executor=client.get_executor(), progress=False)
    _same(base, exp)


def _newsvendor(q_low: int, q_high: int) -> sl.Scenario:
    return sl.Scenario.from_dict({
        "schema_version": 1, "name": "two_stock_levels",
        "run": {"horizon_days": 2.0, "replications": 30, "seed": 1, "snapshot_interval_days": 0},
        "sku": {"price": 10.0, "unit_cost": 4.0},
        "initial": {"on_hand": q_low},
        "demand": {"model": "poisson", "rate_per_day": 6.0},
        "supplier": {"lead_time": {"dist": "constant", "value": 1.0}},
        "replenishment": {"policy": "none"},
        "policies": {"low": {}, "high": {"initial": {"on_hand": q_high}}},
    })


def _expected_sales(q: int, mean: float) -> float:
    k = np.arange(q)
    return float(np.sum(k * stats.poisson.pmf(k, mean)) + q * stats.poisson.sf(q - 1, mean))


def test_paired_difference_ci_coverage():
    """Served units = min(D, Q) with D ~ Poisson(12): the exact difference between Q = 14 and Q = 10 is
    known, so the paired 95% CI must cover it in about 95% of independent experiments."""
    sc = _newsvendor(10, 14)
    truth = _expected_sales(14, 12.0) - _expected_sales(10, 12.0)
    experiments, covered, reductions = 200, 0, []
    for seed in range(experiments):
        d = sl.compare(sc, replications=30, seed=1000 + seed, jobs=1, progress=False).differences(
            baseline="low", metrics=["served_from_stock_units"]).iloc[0]
        covered += d["ci95_low"] <= truth <= d["ci95_high"]
        reductions.append(d["variance_reduction"])
    # Binomial(200, 0.95): mean 190, sd 3.1; a CI built without the pairing (or a biased mean) fails.
    assert 181 <= covered <= 199, covered
    # Common random numbers: min(D,14) and min(D,10) share D. Exact variance reduction:
    # (Var A + Var B) / Var(A - B) = 7.986 / 2.878 = 2.77; independent streams would give about 1.
    k = np.arange(200)
    p = stats.poisson.pmf(k, 12.0)
    a, b = np.minimum(k, 14), np.minimum(k, 10)

    def var(x):
        return float((p * x * x).sum() - (p * x).sum() ** 2)

    exact = (var(a) + var(b)) / var(a - b)
    assert abs(np.median(reductions) - exact) < 0.5, (np.median(reductions), exact)


def test_sweep_grid_and_validation(lens):
    exp = sl.sweep(lens, {"replenishment.s": [80, 120], "supplier.lead_time.mean": [14, 21]},
                   replications=3, seed=2, jobs=2, progress=False)
    df = exp.replications
    assert exp.config_columns == ["replenishment.s", "supplier.lead_time.mean"]
    assert len(df) == 2 * 2 * 2 * 3
    assert set(map(tuple, df[exp.config_columns].drop_duplicates().to_numpy())) == {
        (80, 14), (80, 21), (120, 14), (120, 21)}
    s = exp.summary(["fill_rate"])
    assert len(s) == 2 * 2 * 2
    # Same seed across configurations: s=80 with lead 21 equals a plain compare of that configuration.
    one = sl.compare(lens.with_overrides({"replenishment.s": 80}), replications=3, seed=2, jobs=1, progress=False)
    got = df[(df["replenishment.s"] == 80) & (df["supplier.lead_time.mean"] == 21)]
    np.testing.assert_array_equal(got["profit"].to_numpy(), one.replications["profit"].to_numpy())
    with pytest.raises(sl.ScenarioError) as e:
        sl.sweep(lens, {"replenishment.bogus": [1]}, replications=2, progress=False)
    assert e.value.pointer == "/replenishment/bogus"
    with pytest.raises(sl.ScenarioError) as e:
        sl.sweep(lens, {"replenishment.s": [100, 300]}, replications=2, progress=False)
    assert e.value.pointer == "/replenishment/s"
    with pytest.raises(ValueError, match="empty"):
        sl.sweep(lens, {"replenishment.s": []}, replications=2, progress=False)
    with pytest.raises(ValueError, match="list"):
        sl.sweep(lens, {"replenishment.s": 40}, replications=2, progress=False)


def test_auto_replications_reach_target(lens):
    exp = sl.compare(lens, replications="auto", precision={"metric": "fill_rate", "half_width": 0.01},
                     seed=4, jobs=2, progress=False, max_replications=400)
    n = exp.meta["replications"]
    assert exp.meta["precision"]["reached"]
    s = exp.summary(["fill_rate"])
    assert ((s.ci95_high - s.ci95_low) / 2 <= 0.01).all()
    assert 20 <= n <= 400
    # The first batch alone was not precise enough, so the runner must have added replications.
    first = sl.compare(lens, replications=20, seed=4, jobs=2, progress=False).summary(["fill_rate"])
    assert ((first.ci95_high - first.ci95_low) / 2 > 0.01).any()
    assert n > 20
    with pytest.raises(ValueError, match="precision"):
        sl.compare(lens, replications="auto", progress=False)


def test_policies_argument_forms(lens):
    exp = sl.compare(lens, policies={"lost": "out_of_stock", "bo_no_prepay": {"shortage": {"rule": "backorder"}}},
                     replications=2, seed=1, jobs=1, progress=False)
    assert exp.policies == ["lost", "bo_no_prepay"]
    assert exp.summary(["customer_prepayments_outstanding"]).query("policy == 'bo_no_prepay'")["mean"].iloc[0] == 0
    exp2 = sl.compare(lens, policies=["backorder"], replications=2, seed=1, jobs=1, progress=False)
    assert exp2.policies == ["backorder"]
    with pytest.raises(sl.ScenarioError):
        sl.compare(lens, policies=["nope"], replications=2, progress=False)
    with pytest.raises(ValueError, match="jobs"):
        sl.compare(lens, replications=2, jobs=0, progress=False)


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_persistence_round_trip(lens, tmp_path, ext):
    pytest.importorskip("pyarrow")
    exp = sl.sweep(lens, {"replenishment.s": [90, 110]}, replications=3, seed=6, jobs=2, progress=False)
    path = tmp_path / f"results.{ext}"
    getattr(exp, f"to_{ext}")(path)
    back = sl.load_results(path)
    pd.testing.assert_frame_equal(back.replications, exp.replications)
    assert back.meta == exp.meta
    assert back.config_columns == exp.config_columns
    pd.testing.assert_frame_equal(back.summary(), exp.summary())


def test_select_and_config_differences():
    """Configurations of a sweep pair up like policies: Q = 14 against Q = 10 in a one-period shop
    gives the same paired difference whether the two stock levels are policies or swept values."""
    sc = _newsvendor(10, 14)
    as_policies = sl.compare(sc, replications=40, seed=3, jobs=1, progress=False).differences(
        baseline="low", metrics=["served_from_stock_units"]).iloc[0]
    swept = sl.sweep(sc, {"initial.on_hand": [10, 12, 14]}, replications=40, seed=3, jobs=1, progress=False,
                     policies=["low"])
    d = swept.config_differences({"initial.on_hand": 10}, metrics=["served_from_stock_units"])
    assert list(d["initial.on_hand"]) == [12, 14]
    row = d[d["initial.on_hand"] == 14].iloc[0]
    assert row["difference"] == pytest.approx(as_policies["difference"])
    assert row["ci95_low"] == pytest.approx(as_policies["ci95_low"])
    assert (d["difference"] > 0).all()
    one = swept.select({"initial.on_hand": 12})
    assert set(one.replications["initial.on_hand"]) == {12} and len(one.replications) == 40
    with pytest.raises(KeyError):
        swept.select({"sku.price": 1})
    with pytest.raises(ValueError, match="not one of the swept"):
        swept.config_differences({"initial.on_hand": 11})


class Remembering(sl.ReplenishmentPolicy):
    """(s, S) with a memory: the first order is larger. Shared between replications, its state would
    make every replication after the first order differently."""

    def __init__(self, first_order_extra: int = 80) -> None:
        super().__init__()
        self.extra = first_order_extra
        self.orders = 0

    def order(self, view):
        if view.inventory_position > 100:
            return 0
        self.orders += 1
        return 220 - view.inventory_position + (self.extra if self.orders == 1 else 0)


def _by_simulate(sc, seed, n, make, policy="backorder"):
    return np.array([sl.simulate(sc, seed=seed, policy=policy, replication=r, replenishment=make()).summary
                     for r in range(n)])


def test_custom_python_policies_run_through_compare_and_sweep(lens):
    """Replication r of compare(replenishment=...) is simulate(replication=r) with a fresh policy, bit
    for bit, on any number of threads and on a process pool; the caller's instance is not touched."""
    expected = _by_simulate(lens, 6, 5, Remembering)
    rows = lambda exp: exp.replications.query("policy == 'backorder'")[list(sl.METRICS)].to_numpy()  # noqa: E731
    for kwargs in ({"jobs": 1}, {"jobs": 2, "chunk_size": 2}):
        exp = sl.compare(lens, replications=5, seed=6, replenishment=Remembering, progress=False, **kwargs)
        np.testing.assert_array_equal(rows(exp), expected)
    mine = Remembering(first_order_extra=0)
    mine.orders = 3
    exp = sl.compare(lens, replications=5, seed=6, replenishment=mine, progress=False, jobs=2)
    assert mine.orders == 3  # every replication ran on a copy
    copies = _by_simulate(lens, 6, 5, lambda: _copy_of(mine))
    np.testing.assert_array_equal(rows(exp), copies)
    assert not np.array_equal(copies, expected)  # the copies kept the instance's state
    assert exp.meta["replenishment"].endswith("Remembering")
    with ProcessPoolExecutor(max_workers=2) as pool:
        exp = sl.compare(lens, replications=5, seed=6, replenishment=mine, executor=pool, progress=False)
    np.testing.assert_array_equal(rows(exp), copies)
    swept = sl.sweep(lens, {"initial.on_hand": [60, 120]}, replications=3, seed=6, replenishment=Remembering,
                     progress=False)
    got = swept.replications.query("policy == 'backorder' and `initial.on_hand` == 120")[list(sl.METRICS)]
    np.testing.assert_array_equal(got.to_numpy(), expected[:3])
    with pytest.raises(TypeError, match="factory must return a stocklab.ReplenishmentPolicy"):
        sl.compare(lens, replications=2, replenishment=lambda: 5, progress=False)
    with pytest.raises(TypeError, match="replenishment must be"):
        sl.compare(lens, replications=2, replenishment=5, progress=False)


def _copy_of(policy: Remembering) -> Remembering:
    new = Remembering(policy.extra)
    new.orders = policy.orders
    return new


def test_select_takes_values_or_lists(lens):
    exp = sl.sweep(lens, {"replenishment.s": [80, 100, 120]}, replications=2, seed=1, progress=False)
    two = exp.select({"replenishment.s": [80, 120]}, policies="backorder")
    assert sorted(two.replications["replenishment.s"].unique()) == [80, 120]
    assert two.policies == ["backorder"] and two.meta["configurations"] == 2
    assert set(exp.select({"replenishment.s": np.int64(100)}).replications["replenishment.s"]) == {100}


def test_identical_configurations_are_flagged(lens):
    """A swept field that changes nothing (here the description, like a cap that never binds) gives
    configurations identical in every replication: flagged as the same contender."""
    exp = sl.sweep(lens, {"replenishment.s": [80, 120], "description": ["x", "y"]}, replications=3, seed=2,
                   progress=False)
    d = exp.config_differences({"replenishment.s": 80, "description": "x"}, ["profit"])
    flags = dict(zip(zip(d["replenishment.s"], d["description"], strict=True), d["identical_to"], strict=True))
    assert flags == {(80, "y"): 'replenishment.s=80, description="x"', (120, "x"): "",
                     (120, "y"): 'replenishment.s=120, description="x"'}
    same = d[d["replenishment.s"] == 80].iloc[0]
    assert same["difference"] == 0 and np.isnan(same["variance_reduction"])
    assert same["note"] == "identical in every replication"


def test_ci_columns_are_named_by_level(lens):
    exp = sl.compare(lens, replications=5, seed=3, progress=False)
    s90, s95 = exp.summary(["profit"], level=0.9), exp.summary(["profit"])
    assert {"ci90_low", "ci90_high"} <= set(s90.columns) and not any("ci95" in c for c in s90.columns)
    assert (s90["ci90_high"] - s90["ci90_low"] < s95["ci95_high"] - s95["ci95_low"]).all()
    d = exp.differences(metrics=["profit"], level=0.9)
    assert {"ci90_low", "ci90_high", "unpaired_ci90_low", "unpaired_ci90_high"} <= set(d.columns)
    assert d.attrs["level"] == 0.9
    assert "ci97.5_low" in exp.summary(["profit"], level=0.975).columns
    wide = exp.table(["profit"], level=0.9)
    lo = s90.set_index("policy").loc["backorder", "ci90_low"]
    assert f"{lo:,.0f}" in wide.loc["profit", "backorder"]


def test_csv_is_plain_and_old_files_still_load(lens, tmp_path):
    exp = sl.sweep(lens, {"replenishment.s": [90, 110]}, replications=3, seed=6, progress=False)
    path = tmp_path / "results.csv"
    exp.to_csv(path)
    plain = pd.read_csv(path)  # no comment line: pandas and spreadsheets read it as it is
    assert list(plain.columns[:3]) == ["replenishment.s", "policy", "replication"] and len(plain) == 12
    assert json.loads((tmp_path / "results.csv.meta.json").read_text())["replications"] == 3
    old = tmp_path / "old.csv"  # stocklab 0.1: the metadata as a first comment line, no sidecar
    meta = {k: v for k, v in exp._meta_json().items() if k not in ("configurations", "text_columns")}
    old.write_text("# stocklab " + json.dumps(meta) + "\n" + path.read_text())
    back = sl.load_results(old)
    pd.testing.assert_frame_equal(back.replications, exp.replications)
    (tmp_path / "results.csv.meta.json").unlink()
    with pytest.raises(ValueError, match="no metadata file"):
        sl.load_results(path)


def test_progress_bar_in_jupyter_without_ipywidgets(lens, monkeypatch, capsys):
    """In Jupyter, tqdm's notebook bar needs ipywidgets; without it the text bar, with no warning
    (pytest turns warnings into errors); and nothing at all for runs shorter than two seconds."""
    from tqdm.std import tqdm as text_bar

    from stocklab import experiment

    monkeypatch.delenv("STOCKLAB_NO_PROGRESS", raising=False)
    monkeypatch.setattr(experiment, "_in_notebook", lambda: True)
    monkeypatch.setattr(experiment.importlib.util, "find_spec", lambda name: None)
    bar = experiment._Progress(10, None, "x")
    assert type(bar.bar) is text_bar and bar.bar.delay == experiment._Progress.DELAY
    bar.close()
    sl.compare(lens, replications=2, seed=1, progress=True)
    assert capsys.readouterr().err == ""


def test_a_failing_custom_policy_stops_the_threads_with_its_own_error(lens):
    class Failing(Remembering):
        def order(self, view):
            if view.now > 30:
                raise ZeroDivisionError("policy bug")
            return super().order(view)

    with pytest.raises(ZeroDivisionError, match="policy bug"):
        sl.compare(lens, replications=8, jobs=2, replenishment=Failing, progress=False)


def test_a_misspelled_metric_gets_the_closest_names(lens):
    exp = sl.compare(lens, replications=2, seed=1, progress=False)
    with pytest.raises(KeyError, match=r"'proft': did you mean 'profit'"):
        exp.summary(metrics="proft")
    with pytest.raises(KeyError, match=r"unknown metrics \['zzz'\]; known: demand_units"):
        exp.differences(metrics=["zzz"])
