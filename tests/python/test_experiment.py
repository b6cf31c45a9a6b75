"""Experiments: replications, paired differences, sweeps, threads, executors, persistence."""

from __future__ import annotations

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


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_persistence_round_trip(lens, tmp_path, ext):
    pytest.importorskip("pyarrow")
    exp = sl.sweep(lens, {"replenishment.s": [90, 110]}, replications=3, seed=6, jobs=2, progress=False)
    path = tmp_path / f"results.{ext}"
    getattr(exp, f"to_{ext}")(path)
    back = sl.load_results(path)
    pd.testing.assert_frame_equal(back.replications, exp.replications, check_dtype=False)
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
