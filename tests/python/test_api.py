"""The public Python API: scenarios, simulate, results, errors, determinism."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

import stocklab as sl


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens")


def small(sc: sl.Scenario, **over) -> sl.Scenario:
    return sc.with_overrides({"run.horizon_days": 120, **over})


def test_load_by_path_and_name(lens):
    by_path = sl.load_scenario(sl.scenario.data_dir() / "camera_lens.json")
    assert by_path == lens
    assert lens.name == "camera_lens"
    assert lens.policies == ["out_of_stock", "backorder"]
    assert "camera_lens" in sl.bundled_scenarios()


def test_from_dict_to_dict_round_trip(lens):
    d = lens.to_dict()
    again = sl.Scenario.from_dict(d)
    assert again == lens
    assert again.to_dict() == d
    assert sl.Scenario.from_json(lens.to_json()) == lens


def test_scenario_is_a_private_copy(lens):
    d = lens.to_dict()
    sc = sl.Scenario.from_dict(d)
    before = sl.simulate(small(sc), seed=3, policy="backorder").summary
    d["sku"]["price"] = 1.0  # mutate the caller's dict after construction
    d["demand"]["rate_per_day"] = 100.0
    after = sl.simulate(small(sc), seed=3, policy="backorder").summary
    pd.testing.assert_series_equal(before, after)
    got = sc.to_dict()
    got["sku"]["price"] = 2.0  # and the copy handed out is also private
    assert sc.to_dict()["sku"]["price"] == 249.0


def test_with_overrides_validates_paths(lens):
    sc = lens.with_overrides({"replenishment.s": 90, "supplier.lead_time.mean": 14})
    assert sc.to_dict()["replenishment"]["s"] == 90
    assert sc.to_dict()["supplier"]["lead_time"]["mean"] == 14
    with pytest.raises(sl.ScenarioError) as e:
        lens.with_overrides({"replenishment.bogus": 1})
    assert e.value.pointer == "/replenishment/bogus"
    with pytest.raises(sl.ScenarioError) as e:
        lens.with_overrides({"replenishment.s": 500})
    assert e.value.pointer == "/replenishment/s"
    assert "below S" in e.value.rule


def test_with_policy_merges_variant(lens):
    bo = lens.with_policy("backorder")
    assert bo.to_dict()["shortage"]["rule"] == "backorder"
    assert bo.policies == []
    run = sl.simulate(small(lens), seed=5, policy="backorder")
    assert run.scenario.to_dict()["shortage"]["rule"] == "backorder"  # the run keeps its variant
    a = sl.simulate(small(lens), seed=5, policy="backorder").summary
    b = sl.simulate(small(bo), seed=5).summary
    pd.testing.assert_series_equal(a.rename(None), b.rename(None))


def test_simulate_outputs(lens):
    run = sl.simulate(small(lens, **{"run.record_events": True}), seed=1, policy="backorder")
    assert isinstance(run.summary, pd.Series)
    assert list(run.summary.index) == list(sl.METRICS)
    ts = run.timeseries
    assert list(ts.columns[:6]) == ["time", "on_hand", "backorders", "on_order", "inventory_position", "cash"]
    assert ts["time"].iloc[0] == 0.0 and ts["time"].iloc[-1] == 120.0
    assert len(ts) == 121  # days 0..119 plus the closing row at the horizon
    assert (ts["on_hand"] >= 0).all()
    assert set(run.events["event"].unique()) >= {"sale", "order_placed", "shipment_received"}
    assert run.ledger["amount_cents"].sum() / 100.0 + run.initial_cash == pytest.approx(
        run.summary["final_cash"], abs=1e-9)
    stmt = run.income_statement
    assert stmt["profit"] == pytest.approx(
        stmt["gross profit"] + stmt["holding cost"] + stmt["ordering cost"] + stmt["net interest"])
    assert run.meta["seed"] == 1 and run.meta["stocklab_version"] == sl.__version__
    assert "camera_lens" in repr(run) and "<table>" in run._repr_html_()


def test_income_statement_is_a_property_and_calling_it_warns(lens):
    run = sl.simulate(small(lens), seed=1, policy="backorder")
    stmt = run.income_statement
    assert isinstance(stmt, pd.Series) and stmt["profit"] == run.summary["profit"]
    with pytest.warns(DeprecationWarning, match="income_statement is a property"):
        called = run.income_statement()
    pd.testing.assert_series_equal(called, pd.Series(stmt))
    assert type(stmt * 2) is pd.Series  # arithmetic gives plain Series


def test_determinism_same_seed_same_result(lens):
    a = sl.simulate(small(lens), seed=11, policy="backorder")
    b = sl.simulate(small(lens), seed=11, policy="backorder")
    pd.testing.assert_series_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    c = sl.simulate(small(lens), seed=12, policy="backorder")
    assert not a.summary.equals(c.summary)


def test_seed_defaults_to_scenario(lens):
    a = sl.simulate(small(lens), policy="out_of_stock")
    b = sl.simulate(small(lens), seed=lens.seed, policy="out_of_stock")
    pd.testing.assert_series_equal(a.summary, b.summary)


def test_common_random_numbers_textbook_demand(lens):
    """With anonymous Poisson demand, both policies face the same demand stream exactly."""
    d = lens.to_dict()
    d["demand"] = {"model": "poisson", "rate_per_day": 6.0}
    del d["customers"]
    sc = small(sl.Scenario.from_dict(d))
    runs = {p: sl.simulate(sc, seed=7, policy=p, ) for p in sc.policies}
    assert runs["out_of_stock"].summary["demand_units"] == runs["backorder"].summary["demand_units"]
    assert runs["out_of_stock"].summary["lost_units"] > 0
    assert runs["backorder"].summary["backordered_units"] > 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: sl.simulate(42),
        lambda: sl.simulate(sl.load_scenario("camera_lens"), seed="1"),
        lambda: sl.simulate(sl.load_scenario("camera_lens"), seed=1.5),
        lambda: sl.simulate(sl.load_scenario("camera_lens"), policy=3),
        lambda: sl.load_scenario(3.0),
        lambda: sl.Scenario.from_json(123),
        lambda: sl.compare(sl.load_scenario("camera_lens"), policies=5),
    ],
)
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


def test_bad_values_raise_value_errors(lens):
    with pytest.raises(ValueError):
        sl.simulate(lens, seed=-1)
    with pytest.raises(sl.ScenarioError) as e:
        sl.simulate(lens, policy="no_such_policy")
    assert e.value.pointer == "/policies/no_such_policy"
    with pytest.raises(ValueError):
        sl.compare(lens, replications=0)
    with pytest.raises(FileNotFoundError):
        sl.load_scenario("/nonexistent/file.json")


def test_scenario_error_is_value_error_with_pointer(lens):
    d = lens.to_dict()
    d["supplier"]["lead_time"]["mean"] = -3
    with pytest.raises(ValueError) as e:
        sl.Scenario.from_dict(d)
    assert isinstance(e.value, sl.ScenarioError)
    assert e.value.pointer == "/supplier/lead_time/mean"
    assert "> 0" in e.value.rule
    d = lens.to_dict()
    d["sku"]["price"] = float("nan")
    with pytest.raises(sl.ScenarioError) as e:
        sl.Scenario.from_dict(d)
    assert e.value.pointer == "/sku/price" and "finite" in e.value.rule
    d = lens.to_dict()
    d["policies"]["backorder"]["shortage"]["prepay"] = "yes"
    with pytest.raises(sl.ScenarioError) as e:
        sl.Scenario.from_dict(d)
    assert e.value.pointer == "/policies/backorder/shortage/prepay"


def test_custom_python_policy_matches_builtin(lens):
    class SS(sl.ReplenishmentPolicy):
        def order(self, view):
            ip = view.inventory_position
            return 220 - ip if ip <= 100 else 0

    sc = small(lens)
    builtin = sl.simulate(sc, seed=4, policy="backorder").summary
    custom = sl.simulate(sc, seed=4, policy="backorder", replenishment=SS()).summary
    pd.testing.assert_series_equal(builtin, custom)


@pytest.mark.parametrize("bad", [-1, float("nan"), "ten", None, 2.5, True])
def test_custom_policy_garbage_is_rejected(lens, bad):
    class Bad(sl.ReplenishmentPolicy):
        def order(self, view):
            return bad

    with pytest.raises(ValueError, match="policy.order"):
        sl.simulate(small(lens), seed=1, replenishment=Bad())


def test_custom_policy_exception_propagates(lens):
    class Boom(sl.ReplenishmentPolicy):
        def order(self, view):
            raise ZeroDivisionError("policy bug")

    with pytest.raises(ZeroDivisionError, match="policy bug"):
        sl.simulate(small(lens), seed=1, replenishment=Boom())


def test_replenishment_must_be_a_policy(lens):
    with pytest.raises(TypeError, match="ReplenishmentPolicy"):
        sl.simulate(small(lens), seed=1, replenishment=object())


def test_repr_is_short(lens):
    assert len(repr(lens)) < 120
    assert "<table>" in lens._repr_html_()


def test_metrics_have_no_negative_zero(lens):
    s = sl.simulate(small(lens), seed=2, policy="out_of_stock").summary
    for v in s:
        if isinstance(v, float) and v == 0.0:
            assert math.copysign(1.0, v) == 1.0


def test_summary_identities(lens):
    sc = small(lens)
    for p in sc.policies:
        s = sl.simulate(sc, seed=9, policy=p).summary
        assert s["demand_units"] == s["served_from_stock_units"] + s["backordered_units"] + s["lost_units"] + s[
            "delayed_units"]
        assert s["fill_rate"] == pytest.approx(s["served_from_stock_units"] / s["demand_units"])
        price = 249.0
        assert s["revenue"] == pytest.approx(
            (s["served_from_stock_units"] + s["fulfilled_backorder_units"]) * price - s["apology_discounts"])
        assert s["profit"] == pytest.approx(s["revenue"] - s["cost_of_goods_sold"] - s["holding_cost"]
                                            - s["ordering_cost"] - s["net_interest"])


def test_results_carry_versions(lens):
    exp = sl.compare(small(lens), replications=3, seed=1, jobs=1, progress=False)
    assert exp.meta["stocklab_version"] == sl.__version__
    assert exp.meta["boost_version"].count(".") == 2
    assert exp.meta["seed"] == 1


def test_copy_module_import_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, stocklab; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_numpy_scalars_accepted_in_overrides(lens):
    sc = lens.with_overrides({"replenishment.s": np.int64(90), "sku.price": np.float64(250.0)})
    assert sc.parsed().name == "camera_lens"
    assert copy.deepcopy(sc) == sc


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda sc: sl.sweep(sc, grid=5), ValueError),
        (lambda sc: sl.sweep(sc, grid={"replenishment.s": "40"}), ValueError),
        (lambda sc: sl.sweep(sc, grid={3: [1]}), sl.ScenarioError),
        (lambda sc: sl.compare(sc, replications="many"), ValueError),
        (lambda sc: sl.compare(sc, replications=2, executor="pool"), TypeError),
        (lambda sc: sl.compare(sc, replications=2, jobs=1.5), ValueError),
        (lambda sc: sl.Simulation(sc, seed="x"), TypeError),
        (lambda sc: sl.Simulation(sc, seed=1).run_until("soon"), TypeError),
        (lambda sc: sl.Simulation(sc, seed=1).run_until(float("nan")), TypeError),
        (lambda sc: sl.load_results(5), TypeError),
        (lambda sc: sc.with_overrides({"": 1}), sl.ScenarioError),
        (lambda sc: sc.with_overrides({"sku.price.value": 1}), sl.ScenarioError),
        (lambda sc: sl.compare(sc, replications=2, progress=False).differences(baseline="nope"), ValueError),
        (lambda sc: sl.compare(sc, replications=2, progress=False).summary(["no_such_metric"]), KeyError),
    ],
)
def test_misuse_gives_clear_errors(lens, call, exc):
    with pytest.raises(exc):
        call(small(lens))
