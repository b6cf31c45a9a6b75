"""The step-by-step Simulation: it must tell the same story as simulate(), one event at a time."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import stocklab as sl
from stocklab.interactive import describe_event

STATE_KEYS = {
    "time", "on_hand", "backorders", "waiting_customers", "on_order", "open_orders", "inventory_position",
    "cash", "customers", "active_customers", "mean_loyalty", "supplier_up", "events",
}


@pytest.fixture(scope="module")
def short_lens() -> sl.Scenario:
    """camera_lens over 90 days (about 900 events), event log on."""
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 90, "run.record_events": True})


@pytest.fixture(scope="module")
def troubled_lens() -> sl.Scenario:
    """A year in which every kind of event happens: optimistic quotes (late backorders, apologies),
    an unreliable supplier that goes down, word of mouth, churn. Warm-up 0 so the log covers the window."""
    return sl.load_scenario("camera_lens").with_policy("backorder").with_overrides({
        "run.record_events": True,
        "run.warmup_days": 0,
        "shortage.quote": {"mode": "optimistic", "factor": 0.5},
        "shortage.apology_discount": 0.1,
        "supplier.reliability": {"partial_probability": 0.2, "late_probability": 0.2},
        "supplier.disruptions": {"up_days": {"dist": "exponential", "mean": 120},
                                 "down_days": {"dist": "constant", "value": 20}, "first_down_day": 100},
    })


def assert_summary_equal(a: pd.Series, b: pd.Series) -> None:
    """Identical values, NaN equal to NaN (metrics undefined in both runs)."""
    assert list(a.index) == list(b.index)
    for name in a.index:
        x, y = a[name], b[name]
        assert (math.isnan(x) and math.isnan(y)) or x == y, f"{name}: {x} != {y}"


def test_stepping_to_the_end_equals_simulate(short_lens):
    sim = sl.Simulation(short_lens, seed=7, policy="backorder")
    steps = 0
    while sim.step() is not None:
        steps += 1
    assert sim.finished
    assert sim.step() is None  # stays over
    ref = sl.simulate(short_lens, seed=7, policy="backorder")
    assert_summary_equal(sim.result.summary, ref.summary)
    assert steps >= ref.summary["events"] > 0  # every event is a step (snapshots are steps too)
    pd.testing.assert_frame_equal(sim.result.timeseries, ref.timeseries)
    pd.testing.assert_frame_equal(sim.result.events, ref.events)
    pd.testing.assert_frame_equal(sim.result.ledger, ref.ledger)


def test_step_returns_readable_text(short_lens):
    sim = sl.Simulation(short_lens, seed=1, policy="backorder")
    texts = [sim.step() for _ in range(60)]
    assert all(isinstance(t, str) and t for t in texts)
    for t in texts:
        for line in t.splitlines():
            assert re.match(r"^day \d+\.\d: ", line), line
    joined = "\n".join(texts)
    assert "bought 1 unit from stock" in joined
    assert "on hand" in joined
    # The text names the day the clock shows.
    last_day = float(re.match(r"^day (\d+\.\d)", texts[-1].splitlines()[-1]).group(1))
    assert last_day == pytest.approx(sim.now, abs=0.05)


def test_step_narrates_a_stockout_and_a_backorder(short_lens):
    sim = sl.Simulation(short_lens, seed=1, policy="backorder")
    lines: list[str] = []
    while sim.state["on_hand"] > 0:
        lines += sim.step().splitlines()
    assert lines[-1].endswith("on hand 0, backorders 0")
    while sim.state["backorders"] == 0:
        text = sim.step()
        assert text is not None, "no backorder in 90 days"
        lines += text.splitlines()
    assert "accepted a backorder quoted at" in lines[-1]


def test_run_until_in_pieces_equals_one_run(short_lens):
    sim = sl.Simulation(short_lens, seed=11, policy="out_of_stock")
    for t in (0.0, 3.25, 10, 10, 47.5, 89.999):
        assert sim.run_until(t) is sim
        assert sim.now == pytest.approx(t)
        assert not sim.finished
    sim.run_until(1e9)  # past the horizon: stops at it
    assert sim.finished and sim.now == 90
    ref = sl.simulate(short_lens, seed=11, policy="out_of_stock")
    assert_summary_equal(sim.result.summary, ref.summary)
    pd.testing.assert_frame_equal(sim.result.timeseries, ref.timeseries)
    pd.testing.assert_frame_equal(sim.result.events, ref.events)
    # run() is the same as run_until(horizon), and a mix of step() and run_until() too.
    other = sl.Simulation(short_lens, seed=11, policy="out_of_stock")
    for _ in range(25):
        other.step()
    other.run_until(30)
    assert_summary_equal(other.run().summary, ref.summary)


def test_summary_so_far_is_the_summary_of_a_shorter_run(short_lens):
    sim = sl.Simulation(short_lens, seed=5, policy="backorder").run_until(40)
    ref = sl.simulate(short_lens.with_overrides({"run.horizon_days": 40}), seed=5, policy="backorder")
    a, b = sim.summary, ref.summary
    # Integrals and counts up to day 40 agree; ledger postings due at the horizon (accrued holding
    # cost, closing snapshot) are made only when a run ends, so money and "events" may differ.
    for m in ("demand_units", "served_from_stock_units", "backordered_units", "lost_units", "avg_on_hand",
              "avg_backorders", "stockout_time_fraction", "orders_placed", "revenue"):
        assert a[m] == pytest.approx(b[m], rel=1e-12), m


def test_state_keys_and_identities(short_lens):
    sim = sl.Simulation(short_lens, seed=2, policy="backorder")
    s0 = sim.state
    assert set(s0) == STATE_KEYS
    assert s0["time"] == 0.0 and s0["on_hand"] == 120 and s0["events"] == 0
    assert s0["cash"] == 20000.0 and s0["customers"] == 3000 and s0["supplier_up"] is True
    for t in (5, 30, 60):
        s = sim.run_until(t).state
        assert s["time"] == t
        assert s["inventory_position"] == s["on_hand"] + s["on_order"] - s["backorders"]
        assert s["on_hand"] >= 0 and s["backorders"] >= 0
        assert 0 <= s["mean_loyalty"] <= 1
        assert s["active_customers"] <= s["customers"]
    assert isinstance(sim.state, dict)
    sim.state["on_hand"] = -1  # a copy: changing it changes nothing
    assert sim.state["on_hand"] >= 0
    assert "day 60.0" in repr(sim)


def test_events_so_far_match_the_final_log(short_lens):
    sim = sl.Simulation(short_lens, seed=4, policy="backorder")
    sim.run_until(30)
    partial = sim.events
    assert len(partial) and partial["time"].max() < 30
    full = sim.run().events
    pd.testing.assert_frame_equal(partial, full.iloc[: len(partial)])
    # After the run the log lives in the result; the Simulation still shows all of it.
    assert len(full) > len(partial)
    pd.testing.assert_frame_equal(sim.events, full)


def _units(ev: pd.DataFrame, *kinds: str) -> float:
    return float(ev.loc[ev["event"].isin(kinds), "quantity"].sum())


def _count(ev: pd.DataFrame, kind: str) -> int:
    return int((ev["event"] == kind).sum())


@pytest.mark.parametrize("seed", [1, 2])
def test_event_log_reconstructs_the_summary(troubled_lens, seed):
    run = sl.simulate(troubled_lens, seed=seed)
    s, ev = run.summary, run.events
    assert ev["time"].is_monotonic_increasing
    assert s["late_backorder_units"] > 0 and s["disrupted_days"] > 0 and s["cancelled_units"] > 0
    assert _units(ev, "sale", "partial_sale") == s["served_from_stock_units"]
    assert _units(ev, "backordered") == s["backordered_units"]
    assert _units(ev, "bought_elsewhere", "substituted", "no_purchase") == s["lost_units"]
    assert _units(ev, "substituted") == s["substituted_units"]
    assert _units(ev, "delayed") == s["delayed_units"]
    assert _units(ev, "backorder_cancelled") == s["cancelled_units"]
    assert _units(ev, "backorder_shipped") == s["fulfilled_backorder_units"]
    assert _units(ev, "backorder_late") == s["late_backorder_units"]
    assert s["demand_units"] == (s["served_from_stock_units"] + s["backordered_units"] + s["lost_units"]
                                 + s["delayed_units"])
    assert s["recorded_demand_units"] == s["served_from_stock_units"] + s["backordered_units"]
    orders = ev[ev["event"] == "order_placed"]
    assert len(orders) == s["orders_placed"]
    assert orders["quantity"].mean() == pytest.approx(s["mean_order_size"])
    assert _count(ev, "churned") == s["churned_customers"]
    assert _count(ev, "negative_review") == s["negative_reviews"]
    assert _count(ev, "new_customer") == s["new_customers"]
    # Mean wait: backorder_shipped rows carry the days waited per shipped batch.
    shipped = ev[ev["event"] == "backorder_shipped"]
    wait = (shipped["quantity"] * shipped["value"]).sum() / shipped["quantity"].sum()
    assert wait == pytest.approx(s["mean_backorder_wait_days"], rel=1e-9)
    # Units: what arrived went out (sales and backorder shipments) or is still on the shelf.
    received = _units(ev, "shipment_received")
    shipped = s["served_from_stock_units"] + s["fulfilled_backorder_units"]
    assert 120 + received - shipped == run.timeseries["on_hand"].iloc[-1]
    # Cash: the ledger sums to the final cash; the log's cash column follows the ledger.
    cash = run.initial_cash + run.ledger["amount_cents"].sum() / 100
    assert cash == pytest.approx(s["final_cash"], abs=1e-9)
    price = troubled_lens.to_dict()["sku"]["price"]
    sold = s["served_from_stock_units"] + s["fulfilled_backorder_units"]
    assert s["revenue"] == pytest.approx(price * sold - s["apology_discounts"])
    assert s["apology_discounts"] == pytest.approx(0.1 * price * s["late_backorder_units"])


class _Boom(sl.ReplenishmentPolicy):
    """Orders like (s, S) = (100, 220) until day 20, then fails."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def order(self, view: sl.InventoryView) -> int:
        self.calls += 1
        if view.now > 20:
            raise ZeroDivisionError("boom: the policy broke")
        return 220 - view.inventory_position if view.inventory_position <= 100 else 0


def test_a_raising_policy_closes_the_simulation(short_lens):
    policy = _Boom()
    sim = sl.Simulation(short_lens, seed=1, replenishment=policy)
    sim.run_until(10)  # fine so far
    assert policy.calls > 0
    with pytest.raises(ZeroDivisionError, match="boom"):  # the original exception comes first
        sim.run_until(80)
    for use in (sim.step, lambda: sim.run_until(85), sim.run):
        with pytest.raises(sl.SimulationError, match="closed.*ZeroDivisionError.*boom"):
            use()
    with pytest.raises(sl.SimulationError):
        sim.result  # noqa: B018


def test_a_raising_policy_while_stepping(short_lens):
    class FailsAtOnce(sl.ReplenishmentPolicy):
        def __init__(self) -> None:
            super().__init__()
            self.armed = False

        def order(self, view):
            if self.armed:
                raise ValueError("no more orders")
            return 0

    policy = FailsAtOnce()
    sim = sl.Simulation(short_lens, seed=1, replenishment=policy)
    policy.armed = True
    with pytest.raises(ValueError, match="no more orders"):
        while sim.step() is not None:
            pass
    with pytest.raises(sl.SimulationError):
        sim.step()


def test_a_working_custom_policy_steps_like_simulate(short_lens):
    class SS(sl.ReplenishmentPolicy):
        def order(self, view):
            return 220 - view.inventory_position if view.inventory_position <= 100 else 0

    sim = sl.Simulation(short_lens, seed=3, policy="backorder", replenishment=SS())
    while sim.step() is not None:
        pass
    custom = sl.simulate(short_lens, seed=3, policy="backorder", replenishment=SS())
    builtin = sl.simulate(short_lens, seed=3, policy="backorder")
    assert_summary_equal(sim.result.summary, custom.summary)
    assert_summary_equal(custom.summary, builtin.summary)


def test_bad_arguments(short_lens):
    sim = sl.Simulation(short_lens, seed=1)
    with pytest.raises(TypeError):
        sim.run_until("tomorrow")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sim.run_until(float("nan"))
    with pytest.raises(sl.SimulationError, match="not finished"):
        sim.result  # noqa: B018
    with pytest.raises(sl.ScenarioError):
        sl.Simulation(short_lens, seed=1, policy="no_such_policy")
    assert not np.isnan(sim.state["cash"])


def test_timeseries_so_far_is_a_prefix_of_the_final_one(short_lens):
    sim = sl.Simulation(short_lens, seed=5, policy="backorder")
    assert len(sim.timeseries) == 0 or sim.timeseries["time"].max() == 0
    sim.run_until(30.5)
    mid = sim.timeseries
    assert list(mid.columns) == list(sl.simulate(short_lens, seed=5, policy="backorder").timeseries.columns)
    assert mid["time"].max() <= 30.5 and len(mid) == 31  # snapshots at days 0, 1, ..., 30
    final = sim.run().timeseries
    pd.testing.assert_frame_equal(mid, final.iloc[: len(mid)])
    pd.testing.assert_frame_equal(sim.timeseries, final)  # after the result took the engine's series


def test_run_until_an_earlier_time_raises(short_lens):
    sim = sl.Simulation(short_lens, seed=1)
    sim.run_until(20)
    with pytest.raises(ValueError, match="back in time.*day 20"):
        sim.run_until(10)
    assert sim.now == 20  # unchanged, and the simulation goes on
    sim.run_until(20)
    sim.run_until(25)
    assert sim.now == 25


def test_html_repr_shows_state_and_metrics_so_far(short_lens):
    sim = sl.Simulation(short_lens, seed=1, policy="backorder")
    sim.run_until(30)
    html = sim._repr_html_()
    assert "day 30.0 of 90" in html and "policy <code>backorder</code>" in html
    assert f">{sim.state['on_hand']}</td>" in html
    assert ">Fill rate</span>" in html and sl.format_number(sim.summary["fill_rate"], "fill_rate") in html
    sim.run()
    assert "finished" in sim._repr_html_()


def test_narration_calls_items_and_vendors_by_their_names():
    sim = sl.Simulation("delay_notices", seed=1, policy="notify_on_slip")
    lines = [sim.step(skip_silent=True) for _ in range(400)]
    text = "\n".join(line for line in lines if line)
    assert "the store ordered 250 units from overseas lens maker (order 0)" in text
    assert "their 50mm f/1.8 lens now ships on day" in text
    row = {"time": 1.0, "event": "order_placed", "customer": -1, "quantity": 5, "value": float("nan"),
           "order": 3, "vendor": "lens_maker", "on_hand": 0, "backorders": 0}
    assert "from lens_maker (order 3)" in describe_event(row)  # no names given: the id
    assert "from the maker (order 3)" in describe_event(row, vendor_names={"lens_maker": "the maker"})
