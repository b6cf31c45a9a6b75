"""Compact HTML for Jupyter (_repr_html_ of scenarios, runs and experiments)."""

from __future__ import annotations

import html
from typing import Any

_KEY = ["demand_units", "fill_rate", "lost_units", "backordered_units", "revenue", "profit", "final_cash",
        "min_cash", "mean_loyalty"]


def scenario_html(sc: Any) -> str:
    d = sc.to_dict()
    rows = [("name", d["name"]), ("horizon", f"{sc.horizon_days:g} days"),
            ("demand", f"{d['demand'].get('model', 'poisson')}, {d['demand']['rate_per_day']}/day"),
            ("replenishment", ", ".join(f"{k}={v}" for k, v in d["replenishment"].items())),
            ("shortage", d.get("shortage", {}).get("rule", "lost_sales")),
            ("policies", ", ".join(sc.policies) or "none")]
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows)
    desc = html.escape(sc.description[:300])
    return f"<div><b>Scenario</b> <i>{desc}</i><table>{body}</table></div>"


def run_html(run: Any) -> str:
    s = run.summary
    body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{s[k]:,.4g}</td></tr>" for k in _KEY if k in s)
    return (f"<div><b>RunResult</b> {html.escape(run.meta['scenario'])} / {html.escape(run.meta.get('policy') or 'base')}"
            f", seed {run.seed}<table>{body}</table></div>")


def experiment_html(exp: Any) -> str:
    keys = [k for k in _KEY if k in exp.replications.columns]
    table = exp.table(keys)
    return f"<div><b>{html.escape(repr(exp))}</b>{table.to_html()}</div>"
