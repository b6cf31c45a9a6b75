"""sl.widgets.explore: the controls drive the chart and the paired comparison, set from code (no browser)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import stocklab as sl  # noqa: E402


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 120})


@pytest.fixture
def explorer(lens) -> sl.widgets.Explorer:
    return sl.widgets.explore(lens, seed=3, replications=3, jobs=1)


def _doc(exp: sl.Experiment) -> dict:
    return exp.meta["scenario_doc"]


def test_stocklab_import_does_not_import_ipywidgets():
    code = "import sys, stocklab; stocklab.widgets.explore; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_controls_start_at_the_scenario(explorer, lens):
    doc = lens.to_dict()
    v = explorer.values
    assert set(v) == {"policy", "patience", "lead_time", "lead_time_cv", "s_S", "quote_honesty", "prepay",
                      "replications"}
    assert v["patience"] == doc["customers"]["patience"]["mean"]
    assert v["lead_time"] == doc["supplier"]["lead_time"]["mean"]
    assert v["lead_time_cv"] == doc["supplier"]["lead_time"]["cv"]
    assert v["s_S"] == (doc["replenishment"]["s"], doc["replenishment"]["S"])
    assert v["policy"] == "backorder" and v["replications"] == 3
    # the first update has run: a run of the charted policy, a comparison, a chart and a table
    assert explorer.run.meta["policy"] == "backorder"
    assert explorer.comparison.policies == lens.policies and explorer.comparison.meta["replications"] == 3
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Profit" in explorer.table.value and "backorder - out_of_stock (paired 95% CI)" in explorer.table.value
    assert explorer.timings["total"] > 0 and "updated in" in explorer.status.value


def test_moving_a_slider_updates_run_comparison_chart_and_table(explorer, lens):
    before = (explorer.run.summary.copy(), explorer.image.value, explorer.table.value)
    explorer.controls["patience"].value = 2.0
    assert _doc(explorer.comparison)["customers"]["patience"]["mean"] == 2.0
    assert explorer.run.scenario.to_dict()["customers"]["patience"]["mean"] == 2.0
    assert not explorer.run.summary.equals(before[0])
    assert explorer.image.value != before[1] and explorer.table.value != before[2]
    # the table shows the paired difference the comparison computes
    d = explorer.comparison.differences(metrics=["profit"]).iloc[0]
    assert sl.format_number(d["difference"], "profit") in explorer.table.value


def test_every_control_reaches_the_scenario(explorer):
    c = explorer.controls
    c["lead_time"].value = 30
    c["lead_time_cv"].value = 0.5
    assert _doc(explorer.comparison)["supplier"]["lead_time"] == {"dist": "gamma", "mean": 30, "cv": 0.5}
    c["lead_time_cv"].value = 0.0
    assert _doc(explorer.comparison)["supplier"]["lead_time"] == {"dist": "constant", "value": 30}
    c["s_S"].value = (60, 180)
    r = explorer.run.scenario.to_dict()["replenishment"]
    assert (r["s"], r["S"]) == (60, 180)
    labels = [line.get_label() for line in explorer.figure.axes[0].lines]
    assert "reorder point s = 60" in labels and "order-up-to level S = 180" in labels
    c["quote_honesty"].value = 0.5
    c["prepay"].value = False
    shortage = _doc(explorer.comparison)["policies"]["backorder"]["shortage"]
    assert shortage["quote"] == {"mode": "optimistic", "factor": 0.5} and shortage["prepay"] is False
    assert _doc(explorer.comparison)["policies"]["out_of_stock"]["shortage"] == {"rule": "lost_sales"}
    c["replications"].value = 4
    assert explorer.comparison.meta["replications"] == 4


def test_policy_dropdown_changes_the_charted_run(explorer):
    explorer.controls["policy"].value = "out_of_stock"
    assert explorer.run.meta["policy"] == "out_of_stock"
    top, bottom = explorer.figure.axes[:2]
    assert "out_of_stock" in top.get_title() and bottom.get_ylabel() == "cash (currency)"
    assert min(top.lines[1].get_ydata()) == 0  # no backorders under lost sales


def test_contradictory_values_are_reported_not_raised(explorer):
    run = explorer.run
    explorer.controls["s_S"].value = (150, 150)
    assert "must be below S" in explorer.status.value
    assert explorer.run is run  # the last valid run stays on screen
    explorer.controls["s_S"].value = (100, 150)
    assert "updated in" in explorer.status.value and explorer.run is not run


def test_only_the_controls_a_scenario_uses(textbook):
    sc = textbook(run={"horizon_days": 60, "snapshot_interval_days": 1},
                  replenishment={"policy": "base_stock", "S": 5}, shortage={"rule": "lost_sales"})
    ex = sl.widgets.explore(sc, replications=2, jobs=1)
    assert set(ex.values) == {"policy", "lead_time", "lead_time_cv", "replications"}
    assert ex.run.meta["policy"] == ""
