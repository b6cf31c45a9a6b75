"""Plots of runs and experiments with matplotlib (imported only when a function is called).

Every function takes ``ax=`` (draw into an existing Axes) and returns what it drew on, titled and
labelled with units (days, units, currency). Series differ by line style and marker as well as
colour, so the figures stay readable in black and white. For example:

    import stocklab as sl
    run = sl.simulate(sl.load_scenario("camera_lens"), seed=1, policy="backorder")
    sl.plot.inventory(run)
    sl.plot.comparison(sl.compare("camera_lens", replications=30), ["profit", "fill_rate"])
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .metrics import METRIC_INFO, METRICS, UNITS, display_name, field_label, metric_label, unknown_metrics

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .experiment import Experiment
    from .interactive import Simulation
    from .results import RunResult

__all__ = ["inventory", "cash", "loyalty", "comparison", "differences", "items", "sweep", "sweep_heatmap",
           "metric_label", "UNITS"]

# Black-and-white friendly styles: each series gets its own line style and marker.
_LINESTYLES = ["-", "--", ":", "-."]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
_TIME = "time (days)"


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as e:  # an optional extra: say which
        raise ModuleNotFoundError("stocklab.plot needs matplotlib: pip install 'stocklab[plot]'") from e
    return plt


def _axes(ax: Axes | None, height: float = 4.0, layout: str | None = None) -> Axes:
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=(8, height), layout=layout)
    return ax


def _style(i: int) -> dict[str, Any]:
    return {"linestyle": _LINESTYLES[i % len(_LINESTYLES)], "marker": _MARKERS[i % len(_MARKERS)]}


def _run_title(run: Any, what: str) -> str:
    meta = getattr(run, "meta", {}) or {}
    who = meta.get("scenario", "")
    pol = meta.get("policy") or "base"
    seed = meta.get("seed")
    tail = f" ({who}, {pol}" + (f", seed {seed}" if seed is not None else "") + ")" if who else ""
    return what + tail


def _timeseries(run: Any) -> pd.DataFrame:
    ts = getattr(run, "timeseries", None)
    if ts is None:
        raise TypeError(f"expected a stocklab.RunResult or stocklab.Simulation, got {type(run).__name__}")
    if len(ts) == 0:
        raise ValueError("this run has no time series: set run.snapshot_interval_days > 0 in the scenario")
    return ts


def _legend_on_top(ax: Axes, handles: list[Any], *more: Axes) -> None:
    """A legend in a band of head room above the data, so it never hides a line."""
    for a in (ax, *more):
        lo, hi = a.get_ylim()
        a.set_ylim(lo, hi + 0.25 * (hi - lo))
    ax.legend(handles=handles, loc="upper center", ncol=min(len(handles), 3), fontsize="small",
              framealpha=0.9)


def _min_span(ax: Axes, span: float, low: float | None = None, high: float | None = None) -> None:
    """Widen the y-limits to at least ``span`` (within [low, high]), so noise-sized changes look small.

    Autoscaling zooms into whatever range the data has: a loyalty that moves from 0.800 to 0.796
    would fill the whole axis and read as a collapse.
    """
    lo, hi = ax.get_ylim()
    if hi - lo >= span:
        return
    mid = (lo + hi) / 2
    lo, hi = mid - span / 2, mid + span / 2
    if low is not None and lo < low:
        lo, hi = low, low + span
    if high is not None and hi > high:
        lo, hi = max(high - span, low if low is not None else high - span), high
    ax.set_ylim(lo, hi)


def _sparse_markers(n: int) -> int:
    """Mark about 12 points of a long line, so markers tell lines apart without hiding them."""
    return max(1, n // 12)


# ------------------------------------------------------------------------------------------------
# One run


def _variant(run: Any) -> Any:
    """The scenario a run used, its policy variant merged in (None when the run does not know it)."""
    sc = getattr(run, "scenario", None)
    if sc is None or not hasattr(sc, "to_dict"):
        return None
    policy = (getattr(run, "meta", None) or {}).get("policy")
    if policy and policy in sc.policies:  # a Simulation keeps the base scenario and its policy's name
        sc = sc.with_policy(policy)
    return sc


def _warmup(run: Any) -> float:
    sc = _variant(run)
    return float(sc.parsed().warmup_days) if sc is not None else 0.0


def _thousands(ax: Axes) -> None:
    """Tick labels with thousands separators (250,000, not 250000) on an axis that reaches 1,000."""
    from matplotlib.ticker import FuncFormatter

    if max(abs(v) for v in ax.get_ylim()) < 1000:
        return
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"))


def _policy_levels(run: Any) -> list[tuple[str, float]]:
    """The replenishment policy's reorder point and order-up-to level, when the run knows its scenario."""
    sc = _variant(run)
    if sc is None:
        return []
    r = sc.to_dict().get("replenishment", {})
    out = []
    if "s" in r:
        out.append((f"reorder point s = {r['s']}", float(r["s"])))
    if "S" in r:
        out.append((f"order-up-to level S = {r['S']}", float(r["S"])))
    return out


def inventory(run: RunResult | Simulation, ax: Axes | None = None) -> Axes:
    """On hand, backorders (drawn below zero) and inventory position over time.

    ``run`` is a :class:`stocklab.RunResult` or a :class:`stocklab.Simulation`, finished or not: mid-run
    it draws the time series so far and marks the current day with a vertical line ("now").

    When the run recorded its events (``run.record_events: true``, or a finished
    :class:`stocklab.Simulation`), purchase orders are marked (downward triangles, at the inventory
    position the event log recorded with the order) and receipts (upward triangles, at the stock
    just after the shipment arrived, before waiting backorders are served). The policy's reorder
    point s and order-up-to level S are drawn as dash-dot lines when the run knows its scenario.
    Returns the Axes: the three series, a zero line, one line per kind of marker present and one per
    policy level.

    A store of several items draws the store's totals, all items summed (the title says so), without
    order markers or policy levels, which belong to single items: see :func:`items` per item.
    """
    ts = _timeseries(run)
    n_items = len(getattr(run, "item_ids", None) or [None])  # a run, or a view of one (gym), may not say
    ax = _axes(ax)
    t = ts["time"].to_numpy()
    every = _sparse_markers(len(t))
    ax.plot(t, ts["on_hand"], drawstyle="steps-post", linestyle="-", marker="o", markersize=3,
            markevery=every, label="on hand")
    ax.plot(t, -ts["backorders"], drawstyle="steps-post", linestyle="--", marker="s", markersize=3,
            markevery=every, label="backorders (drawn below zero)")
    ax.plot(t, ts["inventory_position"], drawstyle="steps-post", linestyle=":", marker="^", markersize=3,
            markevery=every, label="inventory position")
    ev = getattr(run, "events", None) if n_items == 1 else None
    if ev is not None and len(ev):
        orders = ev[ev["event"] == "order_placed"]
        if len(orders):
            ip = orders["on_hand"] + orders["on_order"] - orders["backorders"]
            ax.plot(orders["time"], ip, linestyle="none", marker="v", markersize=7, markerfacecolor="none",
                    color="black", label="order placed")
        receipts = ev[ev["event"] == "shipment_received"]
        if len(receipts):
            ax.plot(receipts["time"], receipts["on_hand"], linestyle="none", marker="^", markersize=7,
                    color="black", label="shipment received")
    for name, level in _policy_levels(run) if n_items == 1 else []:
        ax.axhline(level, color="black", linestyle="-.", linewidth=0.8, label=name)
    _mark_now(ax, run)
    ax.axhline(0.0, color="grey", linewidth=0.8, zorder=0)
    ax.set_title(_run_title(run, "Inventory" if n_items == 1 else f"Inventory, all {n_items} items summed"))
    ax.set_xlabel(_TIME)
    ax.set_ylabel("units")
    _legend_on_top(ax, ax.get_legend_handles_labels()[0])
    return ax


def _mark_now(ax: Axes, run: Any) -> None:
    """A vertical line at the current day of a Simulation that has not finished."""
    if getattr(run, "finished", True) is False:
        ax.axvline(run.now, color="grey", linestyle=(0, (1, 3)), linewidth=1.2, label=f"now (day {run.now:.0f})")


def cash(run: RunResult | Simulation, ax: Axes | None = None) -> Axes:
    """The cash balance over time, with the initial cash as a dotted reference line.

    Drawn from the ledger (every dated cash movement) when it was recorded, else from the time
    series (a :class:`stocklab.Simulation` mid-run: the series so far, and a "now" line). The
    lowest balance is marked. Returns the Axes (three lines, and "now" mid-run).
    """
    ledger = getattr(run, "ledger", None)
    ax = _axes(ax)
    initial = float(getattr(run, "initial_cash", np.nan))
    if ledger is not None and len(ledger) and not np.isnan(initial):
        cents = ledger["amount_cents"].to_numpy(dtype=np.int64).cumsum()
        t = np.concatenate([[0.0], ledger["time"].to_numpy()])
        balance = np.concatenate([[initial], initial + cents / 100.0])
        horizon = float(run.timeseries["time"].iloc[-1]) if len(run.timeseries) else t[-1]
        t, balance = np.append(t, horizon), np.append(balance, balance[-1])
    else:
        ts = _timeseries(run)
        t, balance = ts["time"].to_numpy(), ts["cash"].to_numpy()
        if np.isnan(initial):
            initial = float(balance[0])
    ax.plot(t, balance, drawstyle="steps-post", linestyle="-", label="cash balance")
    ax.axhline(initial, linestyle=":", color="black", linewidth=1.0, label="initial cash")
    # The lowest balance of the measured window, as min_cash counts it: from the balance in force
    # when the warm-up ends.
    warmup = _warmup(run)
    if warmup > 0:
        ax.axvspan(0.0, warmup, color="grey", alpha=0.12, linewidth=0, label="warm-up (not measured)")
    start = max(int(np.searchsorted(t, warmup, side="right")) - 1, 0)
    i = start + int(np.argmin(balance[start:]))
    ax.plot([max(t[i], warmup)], [balance[i]], linestyle="none", marker="v", markersize=8, color="black",
            label=f"lowest{' after the warm-up' if warmup > 0 else ''}: {balance[i]:,.0f}")
    _mark_now(ax, run)
    ax.set_title(_run_title(run, "Cash"))
    ax.set_xlabel(_TIME)
    ax.set_ylabel("cash (currency)")
    _thousands(ax)
    ax.legend(loc="best", fontsize="small")
    return ax


def loyalty(run: RunResult | Simulation, ax: Axes | None = None) -> Axes:
    """Mean loyalty of active customers (left axis) and the number of active customers (right axis).

    Needs ``demand.model: "customers"``. Returns the left Axes; the right one is its twin
    (``ax.stocklab_twin``). One line on each; the legend on the left Axes lists both.
    """
    ts = _timeseries(run)
    if ts["mean_loyalty"].isna().all():
        raise ValueError('loyalty() needs a scenario with demand.model "customers" '
                         "(this run has no customers)")
    ax = _axes(ax)
    t = ts["time"].to_numpy()
    every = _sparse_markers(len(t))
    (a,) = ax.plot(t, ts["mean_loyalty"], linestyle="-", marker="o", markersize=3, markevery=every,
                   label="mean loyalty (left)")
    twin = ax.twinx()
    (b,) = twin.plot(t, ts["active_customers"], linestyle="--", marker="s", markersize=3, markevery=every,
                     color="C1", label="active customers (right)")
    # Loyalty lives in [0, 1] and the customer base moves by a few percent a year: axes at least
    # 0.2 of loyalty and 20% of the customers high, so a 0.5% change does not look like a collapse.
    _min_span(ax, 0.2, 0.0, 1.0)
    _min_span(twin, 0.2 * float(np.nanmax(ts["active_customers"])), 0.0)
    ax.set_title(_run_title(run, "Customers"))
    ax.set_xlabel(_TIME)
    ax.set_ylabel(metric_label("mean_loyalty"))
    twin.set_ylabel(metric_label("active_customers_end"))
    _legend_on_top(ax, [a, b], twin)
    ax.stocklab_twin = twin  # type: ignore[attr-defined]
    return ax


# ------------------------------------------------------------------------------------------------
# Experiments


def _metric_list(exp: Any, metrics: str | Sequence[str]) -> list[str]:
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics must name at least one metric")
    known = set(exp.replications.columns) & set(METRICS)
    unknown = [m for m in metrics if m not in known]
    if unknown:
        raise unknown_metrics(unknown, [m for m in METRICS if m in known])
    return metrics


def _panels(metrics: list[str], ax: Axes | Sequence[Axes] | None) -> tuple[Figure, list[Axes]]:
    """One Axes per metric: the given ones, or a new grid without empty panels (2 x 2 for four)."""
    n = len(metrics)
    if ax is None and n == 1:
        ax = _axes(None)
    if ax is None:
        cols = n if n <= 3 else int(np.ceil(np.sqrt(n)))
        rows = -(-n // cols)
        fig, grid = _pyplot().subplots(rows, cols, figsize=(4.4 * cols, 3.8 * rows), squeeze=False)
        axes = list(grid.ravel())
        for extra in axes[n:]:
            extra.remove()
        return fig, axes[:n]
    axes = [ax] if not isinstance(ax, Sequence) else list(ax)
    if len(axes) != n:
        raise ValueError(f"got {len(axes)} Axes for {n} metrics; pass one Axes per metric")
    return axes[0].figure, axes


def _category_ticks(ax: Axes, names: Sequence[str]) -> None:
    """Category names as x tick labels that do not overlap: wrapped, and slanted from three on."""
    import textwrap

    ax.set_xticks(range(len(names)))
    # Wrap at spaces and underscores, never inside a word.
    wrapped = ["\n".join(line.replace("_ ", "_") for line in
                         textwrap.wrap(str(name).replace("_", "_ "), 14, break_long_words=False)) for name in names]
    if len(names) >= 3:
        ax.set_xticklabels(wrapped, rotation=25, ha="right", rotation_mode="anchor", fontsize="small")
    else:
        ax.set_xticklabels(wrapped)
    ax.set_xlim(-0.5, len(names) - 0.5)


def _undefined(ax: Axes, i: float, text: str = "n/a") -> None:
    """Say where a value is undefined (NaN), so a panel is never silently empty."""
    ax.annotate(text, (i, 0.5), xycoords=("data", "axes fraction"), ha="center", va="center",
                fontsize="small", color="grey")


def _finish(fig: Figure, axes: list[Axes], title: str) -> Axes | Figure:
    if len(axes) == 1:
        return axes[0]
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def comparison(exp: Experiment, metrics: str | Sequence[str],
               ax: Axes | Sequence[Axes] | None = None) -> Axes | Figure:
    """Mean of each metric per policy with its 95% confidence interval (error bars).

    One panel per metric (metrics have different units), titled with its display label; policy
    names are wrapped and slanted when there are three or more. A policy for which a metric is
    undefined (NaN, e.g. backorder acceptance under lost sales) is marked "n/a". With one metric,
    returns the Axes (one error-bar container per policy with a value); with several, the Figure.
    ``ax`` may be an Axes (one metric) or a sequence of Axes, one per metric. For a sweep, use
    :func:`sweep`; for the paired differences, :func:`differences`.
    """
    if getattr(exp, "config_columns", None):
        raise ValueError("comparison() plots a compare() experiment; for a sweep use stocklab.plot.sweep()")
    metrics = _metric_list(exp, metrics)
    summary = exp.summary(metrics)
    fig, axes = _panels(metrics, ax)
    policies = exp.policies
    n = int(summary["n"].max())
    for a, metric in zip(axes, metrics, strict=True):
        rows = summary[summary["metric"] == metric].set_index("policy")
        for i, pol in enumerate(policies):
            m, lo, hi = (float(rows.loc[pol, c]) for c in ("mean", "ci95_low", "ci95_high"))
            if np.isnan(m):
                _undefined(a, i)
                continue
            err = np.array([[m - lo], [hi - m]]) if not np.isnan(lo) else None
            a.errorbar([i], [m], yerr=err, marker=_MARKERS[i % len(_MARKERS)], markersize=7, capsize=6,
                       linestyle="none", color=f"C{i}", label=pol)
        _category_ticks(a, policies)
        if METRIC_INFO[metric].unit == "fraction":
            _min_span(a, 0.1, 0.0, 1.0)
        a.set_xlabel("policy")
        a.set_ylabel(metric_label(metric))
        _thousands(a)
        a.set_title(display_name(metric) if len(metrics) > 1 else f"{display_name(metric)}: mean and 95% CI (n = {n})")
        a.grid(axis="y", linestyle=":", linewidth=0.6)
    return _finish(fig, axes, f"{exp.meta.get('scenario', '')}: mean and 95% confidence interval per policy "
                              f"({n} replications)")


def differences(exp: Experiment, metrics: str | Sequence[str], baseline: str | None = None,
                ax: Axes | Sequence[Axes] | None = None) -> Axes | Figure:
    """Paired differences (policy - baseline) with their 95% CI, beside the unpaired CI.

    Both policies of a pair saw the same customers (common random numbers), so the paired interval
    is often far narrower than the interval of the difference of two independent means (drawn
    lighter, dashed, for contrast): means whose bands overlap in :func:`comparison` may still
    differ clearly. A zero line shows "no difference".

    For a compare() experiment: one error bar per policy other than the baseline (the first policy
    unless given). For a sweep with one grid key: the difference against that key, a line with its
    paired band and the unpaired bounds dashed. One panel per metric; returns the Axes for one
    metric, the Figure for several.
    """
    metrics = _metric_list(exp, metrics)
    keys = list(getattr(exp, "config_columns", []) or [])
    if len(keys) > 1:
        raise ValueError(f"differences() plots a sweep over one grid key; this one has {keys}: "
                         "take a slice with Experiment.select() first")
    baseline = baseline or exp.policies[0]
    d = exp.differences(baseline=baseline, metrics=metrics)
    others = [p for p in exp.policies if p != baseline]
    fig, axes = _panels(metrics, ax)
    for a, metric in zip(axes, metrics, strict=True):
        rows = d[d["metric"] == metric]
        if keys:
            _difference_lines(a, rows, keys[0], others)
        else:
            _difference_bars(a, rows.set_index("policy"), others)
        a.axhline(0.0, color="black", linewidth=0.8, zorder=0)
        a.set_ylabel(f"{display_name(metric)}, difference ({METRIC_INFO[metric].unit})")
        _thousands(a)
        a.set_title(f"{display_name(metric)}: {'policy' if len(others) > 1 else others[0]} - {baseline}")
        a.grid(axis="y", linestyle=":", linewidth=0.6)
        if a.get_legend_handles_labels()[0]:
            a.legend(loc="best", fontsize="small")
    n = exp.meta.get("replications", "")
    return _finish(fig, axes, f"{exp.meta.get('scenario', '')}: paired differences against {baseline}, "
                              f"95% CI ({n} replications)")


def items(source: RunResult | Experiment, metric: str, policy: str | None = None, baseline: str | None = None,
          top: int | None = 20, ax: Axes | None = None) -> Axes:
    """A store's items side by side: one horizontal bar per item, largest first.

    ``source`` a run: the item metric ``metric`` (a column of ``run.items``, docs/glossary.md). An
    experiment: the mean over its replications for ``policy`` (the first unless given) with its 95%
    CI, or, with ``baseline``, the paired difference (``policy`` - ``baseline``) per item with its
    95% CI: which items gain and which lose. ``top``: the items with the largest values (or
    differences, in size) only; None shows every item. Returns the Axes.
    """
    from .metrics import table_metric_label

    names = [m["name"] for m in _core_item_info()]
    if metric not in names:
        raise KeyError(f"unknown item metric {metric!r}; known: {', '.join(names)}")
    if hasattr(source, "differences") and getattr(source, "items", None) is not None:
        values, low, high, title = _item_estimates(source, metric, policy, baseline)
    elif hasattr(source, "differences"):
        raise ValueError("items() needs a store-format scenario (schema_version 2): this experiment has no per-item "
                         "results")
    else:
        values = source.items[metric].astype(float)
        low = high = None
        title = _run_title(source, f"{table_metric_label(metric, 'item').split(' (')[0]} per item")
    order = values.abs().sort_values(ascending=False).index if baseline else values.sort_values(ascending=False).index
    if top and len(order) > top:
        title += f"; the {top} largest of {len(order)} items"
    order = list(order[:top] if top else order)[::-1]  # the largest at the top
    # A readable row an item; constrained layout keeps long item ids inside the figure as saved.
    ax = _axes(ax, height=max(4.0, 1.2 + 0.2 * len(order)), layout="constrained")
    y = np.arange(len(order))
    err = None
    if low is not None and high is not None:
        err = np.vstack([(values - low)[order].to_numpy(), (high - values)[order].to_numpy()])
    colors = ["C3" if baseline and v < 0 else "C0" for v in values[order]]
    ax.barh(y, values[order].to_numpy(), xerr=err, color=colors, capsize=3 if err is not None else 0,
            edgecolor="black", linewidth=0.5)
    ax.set_yticks(y, [str(i) for i in order], fontsize="small")
    ax.axvline(0.0, color="black", linewidth=0.8)
    label = table_metric_label(metric, "item")
    ax.set_xlabel(f"{label.split(' (')[0]}, difference ({label.split(' (')[-1]}" if baseline else label)
    ax.set_title(title)
    ax.grid(axis="x", linestyle=":", linewidth=0.6)
    return ax


def _core_item_info() -> Sequence[dict[str, str]]:
    from . import _core

    return _core.item_metric_info


def _item_estimates(exp: Any, metric: str, policy: str | None,
                    baseline: str | None) -> tuple[pd.Series, pd.Series, pd.Series, str]:
    """Per item: the estimate and its 95% CI bounds (indexed by item), and a title."""
    if policy is not None and policy not in exp.policies:
        close = difflib.get_close_matches(policy, exp.policies, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"policy {policy!r} is not in this experiment{hint}; its policies: {', '.join(exp.policies)}")
    policy = policy or next(p for p in exp.policies if p != baseline)
    n = exp.meta.get("replications", "")
    if baseline:
        d = exp.differences(baseline=baseline, metrics=metric, by="item")
        d = d[d["policy"] == policy].set_index("item")
        title = f"{policy} - {baseline} per item (paired 95% CI, {n} replications)"
        return d["difference"], d["ci95_low"], d["ci95_high"], title
    s = exp.summary(metrics=metric, by="item")
    s = s[s["policy"] == policy].set_index("item")
    title = f"{exp.meta.get('scenario', '')}: {policy}, mean and 95% CI ({n} replications)"
    return s["mean"], s["ci95_low"], s["ci95_high"], title


def _difference_bars(ax: Axes, rows: pd.DataFrame, others: list[str]) -> None:
    for i, pol in enumerate(others):
        r = rows.loc[pol]
        if np.isnan(r["difference"]):
            _undefined(ax, i)
            continue
        for dx, lo, hi, style, label in ((-0.08, r["ci95_low"], r["ci95_high"], {}, "paired 95% CI"),
                                         (0.08, r["unpaired_ci95_low"], r["unpaired_ci95_high"],
                                          {"alpha": 0.5, "markerfacecolor": "none"}, "unpaired 95% CI")):
            err = np.array([[r["difference"] - lo], [hi - r["difference"]]]) if not np.isnan(lo) else None
            bars = ax.errorbar([i + dx], [r["difference"]], yerr=err, marker=_MARKERS[i % len(_MARKERS)],
                               markersize=7, capsize=6, linestyle="none", color=f"C{i}",
                               label=label if i == 0 else None, **style)
            if style:
                bars[-1][0].set_linestyle("--")
    _category_ticks(ax, others)
    ax.set_xlabel("policy")


def _difference_lines(ax: Axes, rows: pd.DataFrame, key: str, others: list[str]) -> None:
    xs_all = list(dict.fromkeys(rows[key]))
    numeric = _is_numeric(xs_all)
    for i, pol in enumerate(others):
        g = rows[rows["policy"] == pol]
        g = g.sort_values(key) if numeric else g
        xs = g[key].to_numpy(dtype=float) if numeric else np.array([xs_all.index(v) for v in g[key]], dtype=float)
        (line,) = ax.plot(xs, g["difference"], label=f"{pol} (paired 95% CI)", **_style(i))
        ax.fill_between(xs, g["ci95_low"], g["ci95_high"], alpha=0.25, color=line.get_color(), linewidth=0)
        for bound in ("unpaired_ci95_low", "unpaired_ci95_high"):
            ax.plot(xs, g[bound], linestyle="--", linewidth=0.8, color=line.get_color(),
                    label="unpaired 95% CI" if bound.endswith("low") and i == 0 else None)
    if not numeric:
        _category_ticks(ax, [str(v) for v in xs_all])
    ax.set_xlabel(metric_label(key))


def _is_numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)


def _check_key(exp: Any, key: str) -> None:
    if key not in exp.config_columns:
        raise KeyError(f"{key!r} is not a grid key of this sweep; grid keys: {exp.config_columns}")


def _policies(exp: Any, policy: str | None) -> list[str]:
    if policy is None:
        return exp.policies
    if policy not in exp.policies:
        raise ValueError(f"policy {policy!r} is not one of {exp.policies}")
    return [policy]


def sweep(exp: Experiment, x: str, metric: str, policy: str | None = None, ax: Axes | None = None) -> Axes:
    """A metric against one grid key: the mean as a line, its 95% CI as a shaded band.

    One line per policy (``policy=None``: every policy) and per combination of the other grid keys,
    if any. Returns the Axes: one line and one band (in ``ax.collections``) per curve.
    """
    _check_key(exp, x)
    (metric,) = _metric_list(exp, metric)
    others = [c for c in exp.config_columns if c != x]
    summary = exp.summary([metric])
    summary = summary[summary["policy"].isin(_policies(exp, policy))]
    ax = _axes(ax)
    xs_all = list(dict.fromkeys(summary[x]))
    numeric = _is_numeric(xs_all)
    pos = {v: i for i, v in enumerate(xs_all)}
    groups = summary.groupby([*others, "policy"], sort=False, dropna=False)
    i = 0
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join([str(key[-1]), *(f"{field_label(k, unit=False)} = {v}"
                                           for k, v in zip(others, key[:-1], strict=True))])
        g = g.sort_values(x) if numeric else g
        xs = g[x].to_numpy(dtype=float) if numeric else np.array([pos[v] for v in g[x]], dtype=float)
        (line,) = ax.plot(xs, g["mean"], label=label, **_style(i))
        ax.fill_between(xs, g["ci95_low"], g["ci95_high"], alpha=0.2, color=line.get_color(),
                        hatch=["//", "\\\\", "..", "xx"][i % 4], linewidth=0)
        i += 1
    if not numeric:
        _category_ticks(ax, [str(v) for v in xs_all])
    ax.set_xlabel(metric_label(x))
    ax.set_ylabel(metric_label(metric))
    _thousands(ax)
    ax.set_title(f"{display_name(metric)} against {field_label(x, unit=False)}: mean and 95% CI")
    ax.grid(linestyle=":", linewidth=0.6)
    ax.legend(loc="best", fontsize="small", title=None if others else "policy")
    return ax


def sweep_heatmap(exp: Experiment, x: str, y: str, metric: str, policy: str | None = None,
                  ax: Axes | None = None) -> Axes:
    """Mean of a metric over two grid keys, as a grid of coloured cells labelled with their values.

    ``policy`` may be omitted when the sweep ran one policy. Any other grid key must have a single
    value. Returns the Axes (one image, with a colour bar).
    """
    _check_key(exp, x)
    _check_key(exp, y)
    if x == y:
        raise ValueError("x and y must be different grid keys")
    (metric,) = _metric_list(exp, metric)
    if policy is None:
        if len(exp.policies) != 1:
            raise ValueError(f"this sweep ran several policies {exp.policies}: choose one with policy=")
        policy = exp.policies[0]
    _policies(exp, policy)
    others = [c for c in exp.config_columns if c not in (x, y)]
    for c in others:
        if exp.replications[c].nunique() > 1:
            raise ValueError(f"grid key {c!r} takes several values; filter the sweep or use plot.sweep()")
    s = exp.summary([metric])
    s = s[s["policy"] == policy]
    xs = list(dict.fromkeys(s[x]))
    ys = list(dict.fromkeys(s[y]))
    if _is_numeric(xs):
        xs = sorted(xs)
    if _is_numeric(ys):
        ys = sorted(ys)
    grid = np.full((len(ys), len(xs)), np.nan)
    for xv, yv, mean in zip(s[x], s[y], s["mean"], strict=True):
        grid[ys.index(yv), xs.index(xv)] = mean
    ax = _axes(ax)
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.figure.colorbar(image, ax=ax, label=metric_label(metric))
    finite = grid[np.isfinite(grid)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), v in np.ndenumerate(grid):
        text = "n/a" if np.isnan(v) else f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
        ax.text(j, i, text, ha="center", va="center", fontsize="small",
                color="white" if np.isnan(v) or v < mid else "black")
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([str(v) for v in xs])
    ax.set_yticks(range(len(ys)))
    ax.set_yticklabels([str(v) for v in ys])
    ax.set_xlabel(metric_label(x))
    ax.set_ylabel(metric_label(y))
    ax.set_title(f"{display_name(metric)} (mean), policy {policy}")
    return ax
