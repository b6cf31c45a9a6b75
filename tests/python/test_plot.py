"""stocklab.plot: every function draws a titled, labelled figure (Agg backend, no display)."""

from __future__ import annotations

import subprocess
import sys

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import stocklab as sl  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def lens() -> sl.Scenario:
    return sl.load_scenario("camera_lens").with_overrides({"run.horizon_days": 120,
                                                           "run.record_events": True})


@pytest.fixture(scope="module")
def run(lens) -> sl.RunResult:
    return sl.simulate(lens, seed=1, policy="backorder")


@pytest.fixture(scope="module")
def cmp(lens) -> sl.Experiment:
    return sl.compare(lens, replications=6, seed=1, jobs=1)


@pytest.fixture(scope="module")
def swp(lens) -> sl.Experiment:
    grid = {"replenishment.s": [60, 100, 140], "customers.patience.mean": [5, 30]}
    return sl.sweep(lens, grid, replications=4, seed=1, jobs=1)


def assert_labelled(ax: Axes) -> None:
    assert ax.get_title()
    assert ax.get_xlabel()
    assert ax.get_ylabel()


def test_module_import_does_not_import_matplotlib():
    code = "import sys, stocklab; stocklab.plot.inventory; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_labels_come_from_the_metric_table():
    assert set(sl.plot.UNITS) == set(sl.METRICS)
    assert sl.plot.metric_label("profit") == "Profit (currency)"
    assert sl.plot.metric_label("mean_backorder_wait_days") == "Mean backorder wait (days)"
    # scenario fields (grid keys) get a readable label and the unit their schema entry states
    assert sl.plot.metric_label("customers.patience.mean") == "mean patience (days)"
    assert sl.plot.metric_label("replenishment.s") == "reorder point s (units)"
    assert sl.metric_label("policies.backorder.shortage.apology_discount") == \
        "apology discount (share), backorder policy"


def test_inventory(run):
    ax = sl.plot.inventory(run)
    assert isinstance(ax, Axes)
    assert_labelled(ax)
    assert ax.get_xlabel() == "time (days)" and ax.get_ylabel() == "units"
    labels = [line.get_label() for line in ax.lines]
    # three series and the two kinds of event markers (the event log is on); plus the zero line
    for want in ("on hand", "backorders (drawn below zero)", "inventory position", "order placed",
                 "shipment received"):
        assert want in labels
    styles = {line.get_linestyle() for line in ax.lines[:3]}
    assert len(styles) == 3  # told apart without colour
    on_hand = ax.lines[0].get_ydata()
    backorders = ax.lines[1].get_ydata()
    assert on_hand.min() >= 0 and backorders.max() <= 0 and backorders.min() < 0
    assert ax.get_legend() is not None


def test_inventory_without_event_log(lens):
    quiet = sl.simulate(lens.with_overrides({"run.record_events": False}), seed=1)
    ax = sl.plot.inventory(quiet)
    assert [line.get_label() for line in ax.lines][:3] == ["on hand", "backorders (drawn below zero)",
                                                           "inventory position"]
    assert not any(line.get_label() == "order placed" for line in ax.lines)


def test_inventory_needs_a_time_series(lens):
    run = sl.simulate(lens.with_overrides({"run.snapshot_interval_days": 0}), seed=1)
    with pytest.raises(ValueError, match="snapshot_interval_days"):
        sl.plot.inventory(run)


def test_into_a_given_axes(run):
    fig, (a, b) = plt.subplots(1, 2)
    assert sl.plot.inventory(run, ax=a) is a
    assert sl.plot.cash(run, ax=b) is b
    assert a.figure is fig


def test_cash(run):
    ax = sl.plot.cash(run)
    assert_labelled(ax)
    assert ax.get_ylabel() == "cash (currency)"
    assert len(ax.lines) == 3  # balance, initial cash, lowest point
    balance = ax.lines[0].get_ydata()
    assert balance[0] == run.initial_cash
    assert balance[-1] == pytest.approx(run.summary["final_cash"])
    assert min(balance) == pytest.approx(ax.lines[2].get_ydata()[0])


def test_cash_from_time_series_when_no_ledger(lens):
    run = sl.simulate(lens.with_overrides({"run.record_ledger": False}), seed=1)
    ax = sl.plot.cash(run)
    assert list(ax.lines[0].get_ydata()) == list(run.timeseries["cash"])


def test_loyalty(run):
    ax = sl.plot.loyalty(run)
    assert_labelled(ax)
    twin = ax.stocklab_twin
    assert twin.get_ylabel() == "Active customers (customers)"
    # sensible limits: loyalty moves by well under 0.01 in 120 days; the axis spans at least 0.2
    lo, hi = ax.get_ylim()
    assert hi - lo >= 0.2 and lo >= 0.0
    lo, hi = twin.get_ylim()
    assert hi - lo >= 0.2 * max(twin.lines[0].get_ydata())
    assert len(ax.lines) == 1 and len(twin.lines) == 1
    assert ax.lines[0].get_linestyle() != twin.lines[0].get_linestyle()
    assert len(ax.get_legend().get_texts()) == 2


def test_loyalty_needs_customers(textbook):
    run = sl.simulate(textbook(run={"horizon_days": 50, "snapshot_interval_days": 1}), seed=1)
    with pytest.raises(ValueError, match="customers"):
        sl.plot.loyalty(run)


def test_comparison_one_metric(cmp):
    ax = sl.plot.comparison(cmp, "profit")
    assert isinstance(ax, Axes)
    assert_labelled(ax)
    assert ax.get_ylabel() == "Profit (currency)"
    assert len(ax.containers) == len(cmp.policies) == 2  # one error bar per policy
    assert [t.get_text() for t in ax.get_xticklabels()] == cmp.policies
    s = cmp.summary(["profit"]).set_index("policy")
    for pol, container in zip(cmp.policies, ax.containers, strict=True):
        y = container.lines[0].get_ydata()[0]
        assert y == pytest.approx(s.loc[pol, "mean"])


def test_comparison_several_metrics(cmp):
    fig = sl.plot.comparison(cmp, ["profit", "fill_rate", "mean_loyalty", "min_cash"])
    assert isinstance(fig, Figure)
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == 4
    for a in visible:
        assert_labelled(a)
        assert len(a.containers) == 2
    markers = {c.lines[0].get_marker() for c in visible[0].containers}
    assert len(markers) == 2  # policies differ by marker, not colour only


def test_comparison_into_given_axes_and_errors(cmp, swp):
    fig, axes = plt.subplots(1, 2)
    assert sl.plot.comparison(cmp, ["profit", "lost_units"], ax=list(axes)) is fig
    with pytest.raises(ValueError, match="one Axes per metric"):
        sl.plot.comparison(cmp, ["profit", "lost_units"], ax=axes[0])
    with pytest.raises(KeyError, match="unknown metrics"):
        sl.plot.comparison(cmp, "profitt")
    with pytest.raises(ValueError, match="sweep"):
        sl.plot.comparison(swp, "profit")


def test_sweep_line_with_band(swp):
    ax = sl.plot.sweep(swp, "replenishment.s", "profit", policy="backorder")
    assert_labelled(ax)
    assert ax.get_xlabel() == "reorder point s (units)" and ax.get_ylabel() == "Profit (currency)"
    # one line and one CI band per value of the other grid key
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    assert list(ax.lines[0].get_xdata()) == [60, 100, 140]
    assert len({line.get_linestyle() for line in ax.lines}) == 2


def test_sweep_every_policy(swp):
    ax = sl.plot.sweep(swp, "customers.patience.mean", "fill_rate")
    assert len(ax.lines) == len(ax.collections) == 2 * 3  # policies x values of replenishment.s


def test_sweep_categorical_key(lens):
    exp = sl.sweep(lens.with_policy("backorder"), {"customers.backorder_acceptance.form":
                                                   ["constant", "exponential", "hyperbolic"]},
                   replications=3, seed=1, jobs=1)
    ax = sl.plot.sweep(exp, "customers.backorder_acceptance.form", "backordered_units")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["constant", "exponential", "hyperbolic"]
    assert len(ax.lines) == 1 and len(ax.collections) == 1


def test_sweep_errors(swp, cmp):
    with pytest.raises(KeyError, match="grid key"):
        sl.plot.sweep(swp, "replenishment.S", "profit")
    with pytest.raises(ValueError, match="policy"):
        sl.plot.sweep(swp, "replenishment.s", "profit", policy="nope")
    with pytest.raises(KeyError):
        sl.plot.sweep(cmp, "replenishment.s", "profit")


def test_sweep_heatmap(swp):
    ax = sl.plot.sweep_heatmap(swp, "replenishment.s", "customers.patience.mean", "profit",
                               policy="backorder")
    assert_labelled(ax)
    assert len(ax.images) == 1
    grid = ax.images[0].get_array()
    assert grid.shape == (2, 3)  # y values x x values
    s = swp.summary(["profit"])
    s = s[s["policy"] == "backorder"].set_index(["customers.patience.mean", "replenishment.s"])["mean"]
    assert grid[1, 2] == pytest.approx(s.loc[(30, 140)])
    assert len(ax.texts) == 6  # every cell labelled with its value
    assert any(a.get_ylabel() == "Profit (currency)" for a in ax.figure.axes)  # the colour bar
    assert ax.get_xlabel() == "reorder point s (units)" and ax.get_ylabel() == "mean patience (days)"


def test_sweep_heatmap_needs_a_policy(swp):
    with pytest.raises(ValueError, match="policy="):
        sl.plot.sweep_heatmap(swp, "replenishment.s", "customers.patience.mean", "profit")
    with pytest.raises(ValueError, match="different"):
        sl.plot.sweep_heatmap(swp, "replenishment.s", "replenishment.s", "profit", policy="backorder")


# ------------------------------------------------------------------------------------------------
# Jupyter display (stocklab.display): compact HTML tables; the plain repr stays one line.


def test_html_of_a_scenario_run_and_experiments(lens, run, cmp, swp):
    html = lens._repr_html_()
    assert "<table>" in html and "camera_lens" in html
    assert "policy <i>backorder</i>" in html and "shortage.rule=backorder" in html
    assert "gamma(mean=21, cv=0.3)" in html
    html = run._repr_html_()
    for key in ("demand_units", "fill_rate", "profit", "mean_loyalty"):
        info = sl.METRIC_INFO[key]
        assert f">{info.label}</span>" in html and f"title='{key} ({info.unit})" in html
    html = cmp._repr_html_()
    assert "backorder &minus; out_of_stock (paired)" in html and "[" in html
    html = swp._repr_html_()
    assert ">reorder point s (units)</span>" in html and "title='customers.patience.mean'" in html
    for obj in (lens, run, cmp, swp):
        assert "\n" not in repr(obj) and len(repr(obj)) < 200


def test_html_escapes_and_truncates(textbook):
    sc = textbook(run={"horizon_days": 30}).with_overrides({"name": "<script>x</script>"})
    assert "<script>" not in sc._repr_html_()
    sw = sl.sweep(sc, {"sku.price": list(range(10, 25))}, replications=2, jobs=1)
    html = sw._repr_html_()
    assert "more configurations" in html
    run = sl.simulate(sc, seed=1)
    assert "Mean loyalty" not in run._repr_html_()  # NaN (no customers): left out


def test_inventory_draws_policy_levels(run):
    ax = sl.plot.inventory(run)
    labels = [line.get_label() for line in ax.lines]
    r = run.scenario.to_dict()["replenishment"]
    assert f"reorder point s = {r['s']}" in labels and f"order-up-to level S = {r['S']}" in labels
    level = next(line for line in ax.lines if line.get_label().startswith("reorder point"))
    assert set(level.get_ydata()) == {float(r["s"])}


# ------------------------------------------------------------------------------------------------
# Plots for a class: readable with three policies, no empty panels, paired differences, mid-run.


@pytest.fixture(scope="module")
def three(lens) -> sl.Experiment:
    optimistic = lens.with_policy("backorder").with_overrides(
        {"shortage.quote": {"mode": "optimistic", "factor": 0.5}})
    return sl.compare(lens, policies={"out of stock": "out_of_stock", "backorder, prepaid": "backorder",
                                      "backorder, optimistic quotes": optimistic},
                      replications=6, seed=1, jobs=1)


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_comparison_tick_labels_do_not_overlap(three):
    fig = sl.plot.comparison(three, ["profit", "lost_units", "fill_rate"])
    fig.canvas.draw()
    for ax in fig.axes:
        boxes = [t.get_window_extent() for t in ax.get_xticklabels()]
        assert len(boxes) == 3
        assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # and the panels' labels do not run into each other either
    labels = [ax.xaxis.label.get_window_extent() for ax in fig.axes]
    assert not any(_overlap(a, b) for i, a in enumerate(labels) for b in labels[i + 1:])


def test_comparison_has_no_empty_panels(three):
    metrics = ["profit", "lost_units", "fill_rate", "mean_loyalty", "backorder_acceptance_rate"]
    fig = sl.plot.comparison(three, metrics)
    assert len(fig.axes) == 5  # a 2 x 3 grid with the sixth cell removed, not hidden
    assert [a.get_title() for a in fig.axes] == [sl.METRIC_INFO[m].label for m in metrics]
    accept = fig.axes[4]  # undefined under lost sales: said so, not left blank
    assert len(accept.containers) == 2 and [t.get_text() for t in accept.texts] == ["n/a"]
    fig = sl.plot.comparison(three, ["profit", "lost_units", "fill_rate", "mean_loyalty"])
    assert len(fig.axes) == 4 and fig.axes[3].get_subplotspec().get_geometry()[:2] == (2, 2)


def test_fraction_axes_are_not_zoomed_into_noise(three):
    ax = sl.plot.comparison(three, "mean_loyalty")
    lo, hi = ax.get_ylim()
    assert hi - lo >= 0.1 and 0.0 <= lo and hi <= 1.0


def test_differences_of_a_comparison(three):
    fig = sl.plot.differences(three, ["profit", "lost_units"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    ax = fig.axes[0]
    assert_labelled(ax)
    assert ax.get_ylabel() == "Profit, difference (currency)"
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == three.policies[1:]
    d = three.differences(metrics=["profit"]).set_index("policy")
    # per policy: the paired CI, then the unpaired one, both around the paired mean difference
    assert len(ax.containers) == 2 * 2
    for k, pol in enumerate(three.policies[1:]):
        paired, unpaired = ax.containers[2 * k], ax.containers[2 * k + 1]
        assert paired.lines[0].get_ydata()[0] == pytest.approx(d.loc[pol, "difference"])
        seg = paired.lines[2][0].get_segments()[0]
        assert sorted(seg[:, 1]) == pytest.approx([d.loc[pol, "ci95_low"], d.loc[pol, "ci95_high"]])
        seg = unpaired.lines[2][0].get_segments()[0]
        assert sorted(seg[:, 1]) == pytest.approx([d.loc[pol, "unpaired_ci95_low"], d.loc[pol, "unpaired_ci95_high"]])
    assert any(list(line.get_ydata()) == [0, 0] for line in ax.lines)  # the zero line
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["paired 95% CI", "unpaired 95% CI"]


def test_differences_of_a_sweep(lens, swp):
    sw = sl.sweep(lens, {"customers.patience.mean": [3, 14, 30]}, replications=4, seed=1, jobs=1)
    ax = sl.plot.differences(sw, "profit")
    assert isinstance(ax, Axes)
    assert ax.get_xlabel() == "mean patience (days)"
    d = sw.differences(metrics=["profit"]).sort_values("customers.patience.mean")
    assert list(ax.lines[0].get_xdata()) == [3, 14, 30]
    assert list(ax.lines[0].get_ydata()) == pytest.approx(list(d["difference"]))
    assert len(ax.collections) == 1  # the paired band
    with pytest.raises(ValueError, match="select"):
        sl.plot.differences(swp, "profit")


def test_inventory_and_cash_mid_run(lens):
    sim = sl.Simulation(lens, seed=1, policy="backorder")
    sim.run_until(40)
    ax = sl.plot.inventory(sim)
    assert max(ax.lines[0].get_xdata()) <= 40
    now = [line for line in ax.lines if line.get_label().startswith("now")]
    assert len(now) == 1 and list(now[0].get_xdata()) == [40, 40]
    assert "backorder" in ax.get_title()
    r = lens.with_policy("backorder").to_dict()["replenishment"]
    assert f"reorder point s = {r['s']}" in [line.get_label() for line in ax.lines]
    ax = sl.plot.cash(sim)
    assert ax.lines[0].get_ydata()[0] == sim.initial_cash
    sim.run()
    ax = sl.plot.inventory(sim)  # finished: the whole run, no "now" line
    assert not any(line.get_label().startswith("now") for line in ax.lines)
    assert max(ax.lines[0].get_xdata()) == lens.horizon_days


def test_cash_marks_the_lowest_balance_of_the_measured_window():
    cash_flow = sl.load_scenario("cash_flow")  # supplier prepaid from day 0, a 120-day warm-up
    run = sl.simulate(cash_flow, seed=2, policy="backorder_pay_at_shipment")
    ax = sl.plot.cash(run)
    lowest = ax.lines[-1]
    assert lowest.get_ydata()[0] == pytest.approx(run.summary["min_cash"])
    assert lowest.get_xdata()[0] >= 120
    assert min(ax.lines[0].get_ydata()) < run.summary["min_cash"]  # the warm-up dips lower, unmeasured
    assert [p.get_label() for p in ax.patches] == ["warm-up (not measured)"]
    ax.figure.canvas.draw()
    assert any("," in t.get_text() for t in ax.get_yticklabels())  # 100,000 not 100000


def test_items_from_a_run_and_an_experiment():
    shop = sl.load_scenario("camera_shop").with_overrides({"run.horizon_days": 60})
    run = sl.simulate(shop, seed=1, policy="mixed")
    ax = sl.plot.items(run, "revenue", top=10)
    assert isinstance(ax, Axes) and len(ax.patches) == 10 and "Revenue (currency)" in ax.get_xlabel()
    exp = sl.compare(shop, policies=["out_of_stock", "backorder"], replications=4, progress=False)
    ax = sl.plot.items(exp, "lost_units", policy="backorder", baseline="out_of_stock", top=None)
    assert len(ax.patches) == 50 and "difference" in ax.get_xlabel() and "paired 95% CI" in ax.get_title()
    ax = sl.plot.items(exp, "fill_rate", policy="out_of_stock", top=5)
    assert len(ax.patches) == 5 and "the 5 largest of 50 items" in ax.get_title()
    with pytest.raises(ValueError, match="'mixed' is not in this experiment.*out_of_stock, backorder"):
        sl.plot.items(exp, "lost_units", policy="mixed", baseline="out_of_stock")
    with pytest.raises(ValueError, match="did you mean 'backorder'"):
        sl.plot.items(exp, "lost_units", policy="backorders")
    with pytest.raises(KeyError, match="unknown item metric"):
        sl.plot.items(run, "profit")
    with pytest.raises(ValueError, match="store-format"):
        sl.plot.items(sl.compare("camera_lens", replications=2, progress=False), "revenue")


def test_a_plot_without_matplotlib_names_the_extra(monkeypatch):
    """matplotlib is an optional extra: a plot without it says how to install it."""
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # as if not installed
    run = sl.simulate("camera_lens", seed=1, policy="backorder")
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'stocklab\[plot\]'"):
        sl.plot.inventory(run)


def test_item_bars_keep_long_ids_inside_the_saved_figure(tmp_path):
    """A store's per-item bars: one readable row an item, and labels inside the figure as saved."""
    shop = sl.simulate("camera_shop", seed=1, policy="mixed")
    ax = sl.plot.items(shop, "fill_rate", top=None)
    assert ax.figure.get_size_inches()[1] >= 0.2 * 50
    ax.figure.savefig(tmp_path / "items.png")
    renderer = ax.figure.canvas.get_renderer()
    for label in ax.get_yticklabels():
        assert label.get_window_extent(renderer).x0 >= 0, label.get_text()


def test_a_stores_inventory_says_it_sums_the_items_and_marks_no_single_items_orders():
    run = sl.simulate("camera_shop", seed=1, policy="mixed")
    ax = sl.plot.inventory(run)
    assert ax.get_title().startswith("Inventory, all 50 items summed")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "order placed" not in labels and not any(label.startswith("reorder point") for label in labels)
