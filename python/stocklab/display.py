"""Compact HTML for Jupyter (``_repr_html_`` of scenarios, runs and experiments).

Plain ``repr`` stays one line (see the classes); these tables show what a reader needs at a glance.
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = ["scenario_html", "run_html", "experiment_html", "format_metric"]

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


def format_metric(name: str, value: float, cents: bool = True) -> str:
    """A metric value formatted for reading: units as integers, fractions to 3 decimals, money to
    cents (or to whole amounts with ``cents=False``, for means over replications)."""
    from .plot import UNITS

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = UNITS.get(name, "")
    if unit == "fraction":
        return f"{value:.3f}"
    if unit == "currency":
        return f"{value:,.2f}" if cents or abs(value) < 100 else f"{value:,.0f}"
    if unit == "days":
        return f"{value:,.1f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}"


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


def run_html(run: Any) -> str:
    s = run.summary
    groups = {g: [k for k in keys if k in s.index and not _isnan(s[k])] for g, keys in _GROUPS.items()}
    groups = {g: keys for g, keys in groups.items() if keys}
    depth = max((len(v) for v in groups.values()), default=0)
    head = "<tr>" + "".join(_cell(_e(g), header=True, attrs=" colspan='2'") for g in groups) + "</tr>"
    rows = [head]
    for i in range(depth):
        cells = ""
        for keys in groups.values():
            if i < len(keys):
                cells += _cell(f"<code>{_e(keys[i])}</code>") + _cell(_e(format_metric(keys[i], s[keys[i]])),
                                                                     align="right")
            else:
                cells += _cell("") + _cell("")
        rows.append(f"<tr>{cells}</tr>")
    meta = run.meta
    title = (f"<b>RunResult</b> <code>{_e(meta['scenario'])}</code>, policy <code>"
             f"{_e(meta.get('policy') or 'base')}</code>, seed {run.seed}, replication {run.replication}")
    return f"<div>{title}{_table(rows)}</div>"


def _isnan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _ci(mean: float, lo: float, hi: float, metric: str) -> str:
    if _isnan(mean):
        return "n/a"
    if _isnan(lo):
        return format_metric(metric, mean, cents=False)
    lo_text, hi_text = format_metric(metric, lo, cents=False), format_metric(metric, hi, cents=False)
    mean_text = format_metric(metric, mean, cents=False)
    return f"{mean_text} <span style='opacity:0.7'>[{lo_text}, {hi_text}]</span>"


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
        cells = _cell(f"<code>{_e(m)}</code>")
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
    head = "".join(_cell(f"<code>{_e(c)}</code>", header=True) for c in exp.config_columns)
    for m in metrics:
        head += "".join(_cell(f"<code>{_e(m)}</code><br>{_e(p)}", header=True) for p in exp.policies)
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
