"""Readable output for Jupyter: HTML of scenarios, runs, simulations and experiments, and formatted
DataFrames (:func:`style`).

Plain ``repr`` stays one line (see the classes); these tables show what a reader needs at a glance,
with the display labels and units of the metric table (:mod:`stocklab.metrics`).
"""

from __future__ import annotations

import html
import math
import re
from typing import TYPE_CHECKING, Any

from .metrics import METRIC_INFO, format_number, metric_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["scenario_html", "run_html", "simulation_html", "experiment_html", "style"]

_GROUPS: dict[str, list[str]] = {
    "sales": ["demand_units", "served_from_stock_units", "backordered_units", "lost_units", "cancelled_units",
              "fill_rate", "mean_backorder_wait_days"],
    "money": ["revenue", "lost_revenue", "profit", "final_cash", "min_cash", "cash_conversion_cycle_days"],
    "stock and customers": ["avg_on_hand", "avg_backorders", "orders_placed", "mean_loyalty",
                            "churned_customers", "active_customers_end"],
}
_EXPERIMENT_KEYS = ["fill_rate", "lost_units", "backordered_units", "revenue", "profit", "min_cash",
                    "mean_loyalty"]
_MAX_ROWS = 12


def _e(x: Any) -> str:
    return html.escape(str(x))


def _cell(text: str, header: bool = False, align: str = "left", attrs: str = "") -> str:
    tag = "th" if header else "td"
    return f"<{tag} style='text-align:{align}'{attrs}>{text}</{tag}>"


def _label(name: str) -> str:
    """A metric's display label, with its name, unit and description as a tooltip."""
    info = METRIC_INFO.get(name)
    if info is None:  # a scenario field: its readable label, its path as the tooltip
        return f"<span title='{_e(name)}'>{_e(metric_label(name))}</span>"
    tip = f"{info.name} ({info.unit}): {info.description}"
    return f"<span title='{_e(tip)}'>{_e(info.label)}</span>"


def _dist(d: Any) -> str:
    if not isinstance(d, dict) or "dist" not in d:
        return str(d)
    name = d["dist"]
    if name == "constant":
        return f"{d.get('value')}"
    params = ", ".join(f"{k}={v}" for k, v in d.items() if k != "dist")
    return f"{name}({params})"


def _flat(d: Any, prefix: str = "") -> list[str]:
    """Dotted ``key=value`` items of a nested dict; a distribution (a dict with "dist") stays one item.

    ``{"shortage": {"rule": "x", "quote": {"mode": "y"}}}`` gives ``shortage.rule=x, shortage.quote.mode=y``
    """
    if not isinstance(d, dict) or "dist" in d:
        return [f"{prefix}={_dist(d)}"]
    out: list[str] = []
    for k, v in d.items():
        out += _flat(v, f"{prefix}.{k}" if prefix else str(k))
    return out


def _table(rows: list[str]) -> str:
    return "<table>" + "".join(rows) + "</table>"


def scenario_html(sc: Any) -> str:
    d = sc.to_dict()
    run, sku, initial = d.get("run", {}), d.get("sku", {}), d.get("initial", {})
    demand, customers, supplier = d.get("demand", {}), d.get("customers"), d.get("supplier", {})
    rows: list[tuple[str, str]] = []
    rows.append(("run", f"{sc.horizon_days:g} days (warm-up {run.get('warmup_days', 0):g}), "
                        f"{sc.replications} replications, seed {sc.seed}"))
    item = sku.get("name", "item")
    rows.append(("item", f"{item}: price {sku.get('price')}, unit cost {sku.get('unit_cost', 0)}, "
                         f"holding {sku.get('holding_cost_per_unit_day', 0)} per unit-day"))
    rows.append(("start", f"{initial.get('on_hand', 0)} units on hand, cash {initial.get('cash', 0):,}"))
    text = f"{demand.get('model', 'poisson')}, {demand.get('rate_per_day')} per day"
    if "order_size" in demand:
        text += f", order size {_dist(demand['order_size'])}"
    rows.append(("demand", text))
    if isinstance(customers, dict):
        behaviour = "on" if customers.get("behaviour", True) else "off (textbook)"
        text = f"{customers.get('population')} customers, behaviour {behaviour}"
        if "patience" in customers:
            text += f", patience {_dist(customers['patience'])} days"
        rows.append(("customers", text))
    text = f"lead time {_dist(supplier.get('lead_time'))} days"
    extra = _flat({k: v for k, v in supplier.items() if k not in ("lead_time", "name")})
    rows.append(("supplier", ", ".join([text, *extra])))
    rows.append(("replenishment", ", ".join(_flat(d.get("replenishment", {})))))
    rows.append(("shortage", ", ".join(_flat(d.get("shortage", {"rule": "lost_sales"}))) or "lost_sales"))
    for name, patch in (d.get("policies") or {}).items():
        rows.append((f"policy <i>{_e(name)}</i>", ", ".join(_flat(patch)) or "(no change)"))
    body = [
        "<tr>" + _cell(k if k.startswith("policy <i>") else _e(k), header=True) + _cell(_e(v)) + "</tr>"
        for k, v in rows
    ]
    desc = sc.description
    head = f"<b>Scenario</b> <code>{_e(sc.name)}</code>"
    if sc.source:
        head += f" <span style='opacity:0.7'>from {_e(sc.source)}</span>"
    if desc:
        short = desc if len(desc) <= 160 else desc[:157].rsplit(" ", 1)[0] + "..."
        head += f"<details><summary>{_e(short)}</summary>{_e(desc)}</details>"
    return f"<div>{head}{_table(body)}</div>"


def _grouped_table(groups: dict[str, list[tuple[str, str]]]) -> str:
    """Groups of (label HTML, value text) pairs side by side, one pair of columns per group."""
    groups = {g: pairs for g, pairs in groups.items() if pairs}
    depth = max((len(v) for v in groups.values()), default=0)
    rows = ["<tr>" + "".join(_cell(_e(g), header=True, attrs=" colspan='2'") for g in groups) + "</tr>"]
    for i in range(depth):
        cells = ""
        for pairs in groups.values():
            label, value = pairs[i] if i < len(pairs) else ("", "")
            cells += _cell(label) + _cell(_e(value), align="right")
        rows.append(f"<tr>{cells}</tr>")
    return _table(rows)


def _metric_groups(summary: pd.Series) -> dict[str, list[tuple[str, str]]]:
    return {g: [(_label(k), format_number(summary[k], k, cents=True)) for k in keys
                if k in summary.index and not _isnan(summary[k])] for g, keys in _GROUPS.items()}


def run_html(run: Any) -> str:
    """The HTML of a :class:`stocklab.RunResult`: its key metrics, grouped, with display labels."""
    meta = run.meta
    title = (f"<b>RunResult</b> <code>{_e(meta['scenario'])}</code>, policy <code>"
             f"{_e(meta.get('policy') or 'base')}</code>, seed {run.seed}, replication {run.replication}")
    return f"<div>{title}{_grouped_table(_metric_groups(run.summary))}</div>"


_STATE = [("on_hand", "on hand", "units"), ("backorders", "backorders", "units"),
          ("waiting_customers", "waiting customers", "customers"), ("on_order", "on order", "units"),
          ("inventory_position", "inventory position", "units"), ("cash", "cash", "currency"),
          ("active_customers", "active customers", "customers"), ("mean_loyalty", "mean loyalty", "fraction")]


def simulation_html(sim: Any) -> str:
    """The HTML of a :class:`stocklab.Simulation`: the state now and the metrics so far."""
    state = sim.state
    now = [(_e(label), format_number(state[key], unit=unit, cents=True))
           for key, label, unit in _STATE if key in state and not _isnan(state[key])]
    groups = {"now": now, **_metric_groups(sim.summary)}
    status = "finished" if sim.finished else f"day {sim.now:,.1f} of {sim.horizon:,.0f}"
    title = (f"<b>Simulation</b> <code>{_e(sim.scenario.name)}</code>, policy <code>{_e(sim.policy or 'base')}"
             f"</code>, seed {sim.seed}: {status} <span style='opacity:0.7'>(metrics so far)</span>")
    return f"<div>{title}{_grouped_table(groups)}</div>"


def _isnan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _ci(mean: float, lo: float, hi: float, metric: str) -> str:
    if _isnan(mean) or _isnan(lo):
        return format_number(mean, metric)
    lo_text, hi_text = format_number(lo, metric), format_number(hi, metric)
    return f"{format_number(mean, metric)} <span style='opacity:0.7'>[{lo_text}, {hi_text}]</span>"


def experiment_html(exp: Any) -> str:
    keys = [k for k in _EXPERIMENT_KEYS if k in exp.replications.columns]
    title = f"<b>{_e(repr(exp))}</b><br><span style='opacity:0.7'>mean [95% confidence interval]</span>"
    if exp.config_columns:
        return f"<div>{title}{_sweep_table(exp, ['profit', 'fill_rate'])}</div>"
    s = exp.summary(keys)
    policies = exp.policies
    diffs = exp.differences(metrics=keys) if len(policies) == 2 else None
    head = _cell("metric", header=True)
    head += "".join(_cell(f"<code>{_e(p)}</code>", header=True) for p in policies)
    if diffs is not None:
        head += _cell(f"{_e(policies[1])} &minus; {_e(policies[0])} (paired)", header=True)
    rows = [f"<tr>{head}</tr>"]
    for m in keys:
        cells = _cell(_label(m))
        sub = s[s["metric"] == m].set_index("policy")
        for p in policies:
            r = sub.loc[p]
            cells += _cell(_ci(r["mean"], r["ci95_low"], r["ci95_high"], m), align="right")
        if diffs is not None:
            r = diffs[diffs["metric"] == m].iloc[0]
            cells += _cell(_ci(r["difference"], r["ci95_low"], r["ci95_high"], m), align="right")
        rows.append(f"<tr>{cells}</tr>")
    return f"<div>{title}{_table(rows)}</div>"


def _sweep_table(exp: Any, metrics: list[str]) -> str:
    s = exp.summary(metrics)
    configs = s[exp.config_columns].drop_duplicates()
    head = "".join(_cell(_label(c), header=True) for c in exp.config_columns)
    for m in metrics:
        head += "".join(_cell(f"{_label(m)}<br>{_e(p)}", header=True) for p in exp.policies)
    rows = [f"<tr>{head}</tr>"]
    keyed = s.set_index([*exp.config_columns, "policy", "metric"])
    for n, cfg in enumerate(configs.itertuples(index=False)):
        if n == _MAX_ROWS:
            more = f"... {len(configs) - _MAX_ROWS} more configurations"
            rows.append(f"<tr>{_cell(more, attrs=' colspan=99')}</tr>")
            break
        cells = "".join(_cell(_e(v), align="right") for v in cfg)
        for m in metrics:
            for p in exp.policies:
                r = keyed.loc[(*cfg, p, m)]
                cells += _cell(_ci(r["mean"], r["ci95_low"], r["ci95_high"], m), align="right")
        rows.append(f"<tr>{cells}</tr>")
    return _table(rows)


# ------------------------------------------------------------------------------------------------
# Formatted DataFrames

# Columns of tidy frames (one metric per row) that are in the unit of that row's metric.
_VALUE_COLUMN = re.compile(r"^(mean|sem|std|difference|value|(unpaired_)?ci\d*_(low|high))$")


def _is_number_column(series: pd.Series) -> bool:
    return series.dtype.kind in "iuf"


def style(data: pd.DataFrame | pd.Series) -> Styler:
    """A pandas Styler that shows numbers for reading, by each metric's unit (see :func:`format_number`).

    Understands the frames stocklab returns: tidy ones with a ``metric`` column (summaries, paired
    differences: ``mean``, ``difference``, CI bounds... in that row's unit), frames or Series indexed
    by metric names (``run.summary``), and frames whose columns are metrics or scenario fields. No
    ``2296.000000``, no ``-0.00``; counts get thousands separators, fractions three decimals. The data
    is unchanged: ``style(df).data is df``. Needs jinja2 (the ``notebook`` extra).
    """
    import pandas as pd

    frame = data.to_frame() if isinstance(data, pd.Series) else data
    styler = frame.style
    numbers = [c for c in frame.columns if _is_number_column(frame[c])]
    by_row = None
    if "metric" in frame.columns:
        by_row = frame["metric"]
        per_row = [c for c in numbers if _VALUE_COLUMN.match(str(c))]
    elif frame.index.isin(list(METRIC_INFO)).any():
        by_row, per_row = frame.index.to_series(index=frame.index), numbers
    else:
        per_row = []
    for column in numbers:
        if column not in per_row:
            styler.format(lambda v, c=column: format_number(v, str(c)), subset=[column])
    if by_row is not None and per_row:
        for label, metric in by_row.items():
            styler.format(lambda v, m=metric: format_number(v, m), subset=pd.IndexSlice[[label], per_row])
    return styler
