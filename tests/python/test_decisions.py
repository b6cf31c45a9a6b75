"""Pausing where a replenishment decision is due (run_until_decision / decide), and custom policies
that are interrupted or change their answers: never silently wrong."""

from __future__ import annotations

import numpy as np
import pytest

import stocklab as sl

PERIODIC = {"replenishment": {"policy": "R_s_S", "s": 100, "S": 220, "review_period_days": 7}}


def same(a: sl.RunResult | sl.Simulation, b: sl.RunResult) -> bool:
    return np.array_equal(a.summary.values, b.summary.values, equal_nan=True)


@pytest.mark.parametrize("override", [PERIODIC, {}], ids=["periodic", "continuous"])
def test_letting_the_policy_decide_at_every_pause_equals_a_plain_run(camera_lens, override):
    sc = camera_lens.with_overrides({"run.horizon_days": 120, **override})
    sim = sl.Simulation(sc, seed=3, policy="backorder")
    pauses = 0
    while (view := sim.run_until_decision()) is not None:
        assert view.now == sim.now and view.is_review == bool(override)
        sim.decide()
        pauses += 1
    assert sim.finished and pauses > (10 if override else 100)
    assert same(sim, sl.simulate(sc, seed=3, policy="backorder"))


def test_an_agent_decides_instead_of_the_policy(camera_lens):
    sc = camera_lens.with_overrides({"run.horizon_days": 120, **PERIODIC})
    sim = sl.Simulation(sc, seed=3, policy="backorder")
    while (view := sim.run_until_decision()) is not None:
        sim.decide(max(0, 300 - view.inventory_position))  # order up to 300 at every review
    ordered = sim.events.query("event == 'order_placed'")
    assert len(ordered) >= 10
    assert not same(sim, sl.simulate(sc, seed=3, policy="backorder"))


def test_decide_needs_a_pending_decision_and_a_whole_number(camera_lens):
    sim = sl.Simulation(camera_lens.with_overrides(PERIODIC), seed=1)
    with pytest.raises(sl.SimulationError, match="no decision is pending"):
        sim.decide(5)
    assert sim.run_until_decision(30) is not None
    with pytest.raises(TypeError, match="whole number"):
        sim.decide(2.5)
    with pytest.raises(ValueError, match=">= 0"):
        sim.decide(-1)
    sim.decide(0)


class FlakyReview(sl.ReplenishmentPolicy):
    """(R, s, S) in Python whose fifth review is interrupted (Ctrl-C) once."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def order(self, view: sl.InventoryView) -> int:
        self.calls += 1
        if self.calls == 5:
            raise KeyboardInterrupt
        return 220 - view.inventory_position if view.inventory_position <= 100 else 0

    def review_period_days(self) -> float:
        return 7.0


def test_ctrl_c_inside_a_periodic_policy_resumes_exactly(camera_lens):
    # The next review used to be booked only after order() returned: Ctrl-C dropped every later one.
    sc = camera_lens.with_overrides({"run.horizon_days": 200})
    sim = sl.Simulation(sc, seed=2, policy="backorder", replenishment=FlakyReview())
    with pytest.raises(KeyboardInterrupt):
        sim.run_until(200)
    assert sim.now < 40  # stopped at the fifth review
    result = sim.run()
    assert result.summary["orders_placed"] > 5
    # The same run as without the interruption: the interrupted review was asked again on resume.
    uninterrupted = FlakyReview()
    uninterrupted.calls = 100
    assert same(result, sl.simulate(sc, seed=2, policy="backorder", replenishment=uninterrupted))


class ShiftingPeriod(sl.ReplenishmentPolicy):
    """A policy whose review period changes after construction: 7, then 0, then negative."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def order(self, view: sl.InventoryView) -> int:
        return 50 if view.inventory_position < 80 else 0

    def review_period_days(self) -> float:
        self.asked += 1
        return 7.0 if self.asked == 1 else (0.0 if self.asked == 2 else -3.0)


def test_a_policy_is_asked_its_review_period_once(camera_lens):
    # Asked again at every review, a changing answer hung the run with time going backwards.
    policy = ShiftingPeriod()
    run = sl.simulate(camera_lens.with_overrides({"run.horizon_days": 100}), seed=1, replenishment=policy)
    assert policy.asked == 1
    assert run.summary["orders_placed"] > 0
