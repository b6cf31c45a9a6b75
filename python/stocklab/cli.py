"""The command line: stocklab run | sweep | optimize | validate | schema | --version."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

__all__ = ["main"]

KEY_METRICS = [
    "demand_units", "served_from_stock_units", "backordered_units", "lost_units", "cancelled_units",
    "fill_rate", "mean_backorder_wait_days", "avg_on_hand", "revenue", "lost_revenue", "profit",
    "final_cash", "min_cash", "days_cash_negative", "churned_customers", "mean_loyalty",
    "backorder_acceptance_rate",
]
SWEEP_METRICS = ["fill_rate", "profit", "final_cash", "lost_units"]
LEVEL = 0.95

_FORMATTER = argparse.RawDescriptionHelpFormatter
_MAIN_EXAMPLES = """\
examples:
  stocklab run camera_lens -n 200 --seed 42
  stocklab sweep camera_lens --grid replenishment.s=60,100,140 -n 50 --out sweep.parquet
  stocklab optimize camera_lens --space replenishment.s=60:140:20 --delta 500
  stocklab validate my_scenario.json
  stocklab COMMAND --help      (every command's options, with examples)"""
_RUN_EXAMPLES = """\
examples:
  stocklab run camera_lens                         the bundled story, its own replications and seed
  stocklab run scenarios/slow_supplier.json -n 100 --seed 7 --jobs 4
  stocklab run camera_lens -n 200 --json           one JSON object: summaries and paired differences
  stocklab run camera_lens -n 200 --out reps.csv   also save every replication (.csv, .parquet, .json)
  stocklab run camera_lens --metric profit,fill_rate --baseline backorder"""
_SWEEP_EXAMPLES = """\
examples:
  stocklab sweep camera_lens --grid replenishment.s=60,100,140 -n 50
  stocklab sweep camera_lens --grid replenishment.s=60,100 --grid supplier.lead_time.mean=14,21 -n 30
  stocklab sweep camera_lens --grid replenishment.s=60,100,140 --baseline replenishment.s=100 --json
  stocklab sweep camera_lens --grid shortage.rule=lost_sales,backorder --metric profit --metric lost_units"""
_OPTIMIZE_EXAMPLES = """\
examples:
  stocklab optimize camera_lens --space replenishment.s=60:140:20 --delta 500
  stocklab optimize camera_lens --space replenishment.s=60:140:20 --space replenishment.S=200:300:50 \\
      --objective profit --constraint 'fill_rate>=0.9' --delta 500 --json
  stocklab optimize camera_lens --space replenishment.s=40..160 --method optuna --budget-replications 2000 \\
      --delta 500 --out history.csv"""
_VALIDATE_EXAMPLES = """\
examples:
  stocklab validate my_scenario.json     prints 'valid' and notes, or the first error as a JSON pointer
  stocklab validate camera_lens          a bundled scenario"""
_SCHEMA_EXAMPLES = """\
examples:
  stocklab schema > schema.json          the JSON Schema of scenario files"""


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


# argument types ---------------------------------------------------------------------------------
def _grid_arg(text: str) -> tuple[str, list[Any]]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--grid needs KEY=V1,V2,... (got {text!r})")
    key, vals = text.split("=", 1)
    out = [_value(v) for v in vals.split(",")]
    if not key or not out or out == [""]:
        raise argparse.ArgumentTypeError(f"--grid needs KEY=V1,V2,... (got {text!r})")
    return key, out


def _value(text: str) -> Any:
    """A value on the command line: JSON when it parses (numbers, true, null), else the text itself."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, _value(value)


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _jobs(text: str) -> int:
    from .experiment import check_jobs

    try:
        return check_jobs(_positive_int(text))
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        v = -1
    if not 0 <= v < 2**64:
        raise argparse.ArgumentTypeError(f"expected an integer seed in [0, 2**64), got {text!r}")
    return v


def _metrics(text: str) -> list[str]:
    """``--metric a,b`` and ``--metric a --metric b`` both work (with action="extend")."""
    from . import _core
    from .results import METRICS

    names = [m.strip() for m in text.split(",")]
    tables = {m["name"] for m in (*_core.item_metric_info, *_core.segment_metric_info)}  # for --by
    unknown = [m for m in names if m not in METRICS and m not in tables]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown metric(s) {', '.join(map(repr, unknown))}; "
                                         f"known: {', '.join(METRICS)}")
    return names


def _destination(text: str) -> str:
    """The --out path, checked before anything runs (format, folder, permission)."""
    from .experiment import check_destination

    try:
        check_destination(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def _csv_destination(text: str) -> str:
    """An --out that must be a CSV file (optimize's history), checked like _destination."""
    if not text.lower().endswith(".csv"):
        raise argparse.ArgumentTypeError(f"{text!r}: the history is saved as CSV; use a name ending in .csv")
    return _destination(text)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stocklab")
    except PackageNotFoundError:  # running from a source tree
        return "unknown"


# the parser -------------------------------------------------------------------------------------
def _experiment_args(p: argparse.ArgumentParser) -> None:
    """The arguments run and sweep share."""
    p.add_argument("scenario", help="scenario file, or the name of a bundled one (e.g. camera_lens)")
    p.add_argument("--replications", "-n", type=_positive_int, metavar="N",
                   help="replications per policy (default: the scenario's run.replications)")
    p.add_argument("--seed", "-s", type=_seed, help="random seed, shared by every policy (default: run.seed)")
    p.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                   help="C++ threads (default: one per core; at most 4 per core, or 256)")
    p.add_argument("--metric", action="extend", type=_metrics, metavar="NAME[,NAME...]",
                   help="metrics to show; repeat the flag or separate names with commas (see docs/glossary.md)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--out", type=_destination, metavar="FILE",
                   help="also save every replication; the extension picks the format: .csv (with FILE.meta.json), "
                        ".parquet or .json. Checked before the run starts")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (also: STOCKLAB_NO_PROGRESS=1)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stocklab", description="What a retailer gains and loses when an item runs out.",
                                epilog=_MAIN_EXAMPLES, formatter_class=_FORMATTER)
    p.add_argument("--version", action="version", version=f"stocklab {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="compare the scenario's policies over replications", epilog=_RUN_EXAMPLES,
                       description="Run every policy of the scenario on the same replications (common random "
                                   "numbers); print mean [95% CI] per policy and the paired differences.",
                       formatter_class=_FORMATTER)
    _experiment_args(r)
    r.add_argument("--baseline", metavar="POLICY", help="the policy differences are against (default: the first)")
    r.add_argument("--all-metrics", action="store_true", help="show every metric, not the key ones")
    r.add_argument("--by", choices=["item", "segment"],
                   help="also show a store's results per item or customer segment (--metric then names their "
                        "metrics: docs/glossary.md)")
    w = sub.add_parser("sweep", help="run a grid of parameter values", epilog=_SWEEP_EXAMPLES,
                       description="Run every combination of the grid for every policy, all on the same random "
                                   "numbers; print mean [95% CI] and the paired differences of each configuration "
                                   "against a baseline configuration.",
                       formatter_class=_FORMATTER)
    _experiment_args(w)
    w.add_argument("--grid", action="append", type=_grid_arg, required=True, metavar="KEY=V1,V2,...",
                   help="a scenario field (dotted path) and its values; repeat for more fields")
    w.add_argument("--baseline", action="append", type=_assignment, metavar="KEY=VALUE",
                   help="the configuration differences are against (default: the first); fields not given "
                        "take their first value")
    _add_optimize_parser(sub)
    v = sub.add_parser("validate", help="check a scenario file and every policy variant in it",
                       description="Check a scenario file and every policy variant in it; print notes on "
                                   "defaults worth knowing.", epilog=_VALIDATE_EXAMPLES, formatter_class=_FORMATTER)
    v.add_argument("scenario", help="scenario file, or the name of a bundled one")
    sub.add_parser("schema", help="print the JSON Schema of scenario files", epilog=_SCHEMA_EXAMPLES,
                   description="Print the JSON Schema of scenario files.", formatter_class=_FORMATTER)
    return p


# reports ----------------------------------------------------------------------------------------
def _ci(row: dict[str, Any], lo: str, hi: str) -> list[float | None]:
    return [_num(row[lo]), _num(row[hi])]


def _summary_json(summary: Any) -> dict[str, Any]:
    """{policy: {metric: {"mean", "ci95"}}} of one configuration's summary rows."""
    lo, hi = _ci_names()
    out: dict[str, Any] = {}
    for r in summary.to_dict("records"):
        out.setdefault(r["policy"], {})[r["metric"]] = {"mean": _num(r["mean"]), "ci95": _ci(r, lo, hi)}
    return out


def _difference_json(r: dict[str, Any]) -> dict[str, Any]:
    lo, hi = _ci_names()
    return {"difference": _num(r["difference"]), "ci95": _ci(r, lo, hi),
            "variance_reduction": _num(r["variance_reduction"]), "n": int(r["n"]), "note": r["note"] or None}


def _ci_names() -> tuple[str, str]:
    from .stats import ci_columns

    return ci_columns(LEVEL)


def _run_json(exp: Any, baseline: str, metrics: list[str] | None, by: str | None = None) -> dict[str, Any]:
    """The store's summaries and differences; with `by`, also each item's (or segment's), where
    `metrics` names the per-item (per-segment) metrics and the store's are the key ones."""
    store_metrics = [m for m in KEY_METRICS if m in exp.metrics] if by else metrics
    out = {"scenario": exp.meta["scenario"], "seed": exp.meta["seed"], "replications": exp.meta["replications"],
           "policies": _summary_json(exp.summary(store_metrics))}
    if len(exp.policies) > 1:
        diffs: dict[str, Any] = {}
        for r in exp.differences(baseline, store_metrics).to_dict("records"):
            diffs.setdefault(r["policy"], {})[r["metric"]] = _difference_json(r)
        out.update(baseline=baseline, differences=diffs)
    if by:
        out[by] = _by_json(exp, by, baseline, metrics)
    return out


def _by_json(exp: Any, by: str, baseline: str, metrics: list[str] | None) -> dict[str, Any]:
    """{id: {"policies": {policy: {metric: ...}}, "differences": {policy: {metric: ...}}}} in the scenario's order."""
    metrics = _by_metrics(exp, by, metrics)
    summary = exp.summary(metrics, by=by)
    out: dict[str, Any] = {k: {"policies": {}} for k in _by_order(exp, by)}
    for key, rows in summary.groupby(by, sort=False):
        out[str(key)]["policies"] = _summary_json(rows)
    if len(exp.policies) > 1:
        for r in exp.differences(baseline, metrics, by=by).to_dict("records"):
            out[str(r[by])].setdefault("differences", {}).setdefault(r["policy"], {})[r["metric"]] = \
                _difference_json(r)
    return out


def _sweep_json(exp: Any, grid: dict[str, list[Any]], baseline: dict[str, Any], metrics: list[str] | None
                ) -> dict[str, Any]:
    keys = exp.config_columns
    summary = exp.summary(metrics)
    configs = []
    for values, rows in summary.groupby(keys, sort=False):
        values = values if isinstance(values, tuple) else (values,)
        configs.append({"config": dict(zip(keys, map(_plain, values), strict=True)),
                        "policies": _summary_json(rows)})
    diffs = []
    for policy in exp.policies:
        d = exp.config_differences(baseline, metrics, policy=policy)
        for values, rows in d.groupby(keys, sort=False):
            values = values if isinstance(values, tuple) else (values,)
            diffs.append({"config": dict(zip(keys, map(_plain, values), strict=True)), "policy": policy,
                          "identical_to": rows["identical_to"].iloc[0] or None,
                          "metrics": {r["metric"]: _difference_json(r) for r in rows.to_dict("records")}})
    return {"scenario": exp.meta["scenario"], "seed": exp.meta["seed"], "replications": exp.meta["replications"],
            "grid": grid, "configurations": configs, "baseline": baseline, "differences": diffs}


# commands ---------------------------------------------------------------------------------------
# A conservative single-core speed for the estimate (the full model runs faster on most machines).
_EVENTS_PER_SECOND = 3e6


def _warn_if_long(sc: Any, policies: list[str], replications: int, jobs: int | None) -> None:
    """Tell the user before a legal but huge experiment starts, so a long wait is not a surprise."""
    from . import _core

    events = sum(sc.parsed(p).expected_events for p in policies) * replications
    cores = jobs or _core.hardware_jobs()
    seconds = events / (_EVENTS_PER_SECOND * min(cores, replications))
    if seconds > 30:
        print(f"stocklab: about {events:.2g} events to simulate, roughly {seconds / 60:.0f} minutes on "
              f"{min(cores, replications)} core(s); Ctrl-C stops it.", file=sys.stderr)


def _print_frame(df: Any, **kwargs: Any) -> None:
    import pandas as pd

    if "note" in df.columns and not df["note"].any():
        df = df.drop(columns="note")

    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(df.to_string(**kwargs))


def _run(args: argparse.Namespace) -> int:
    import stocklab as sl
    from stocklab.experiment import format_number
    from stocklab.metrics import metric_label

    sc = sl.load_scenario(args.scenario)
    baseline = args.baseline or (sc.policies[0] if sc.policies else None)
    if args.baseline and args.baseline not in sc.policies:
        raise ValueError(f"--baseline {args.baseline!r} is not one of the scenario's policies {sc.policies}")
    if args.by and sc.to_dict().get("schema_version") != 2:
        raise ValueError(f"--by {args.by} needs a store-format scenario (schema_version 2); {sc.name} has one item")
    _check_metrics_for(args.metric, args.by)  # before the run, not after it
    _warn_if_long(sc, sc.policies or [""], args.replications or sc.replications, args.jobs)
    exp = sl.compare(sc, replications=args.replications, seed=args.seed, jobs=args.jobs,
                     progress=False if args.no_progress else None)
    if args.out:
        exp.save(args.out)
    if args.json:
        print(json.dumps(_run_json(exp, baseline or exp.policies[0], args.metric, args.by), indent=2))
        return 0
    by_metrics = args.metric if args.by else None
    if args.by:
        args.metric = None
    metrics = args.metric or (None if args.all_metrics else [m for m in KEY_METRICS if m in exp.metrics])
    print(f"{sc.name}: {exp.meta['replications']} replications, seed {exp.meta['seed']}, "
          f"horizon {sc.horizon_days:g} days. Mean [95% CI] per policy.\n")
    table = exp.table(metrics)
    table.insert(0, "label", [metric_label(m) for m in table.index])  # from the metric table
    _print_frame(table)
    if len(exp.policies) > 1:
        lo, hi = _ci_names()
        d = exp.differences(baseline, metrics=metrics)
        d = d[["policy", "baseline", "metric", "difference", lo, hi, "note"]].dropna(subset=["difference"])
        print(f"\nPaired differences (common random numbers), policy - {baseline}:\n")
        _print_frame(d, index=False, float_format=format_number)
    if args.by:
        _print_by(exp, args.by, baseline, by_metrics)
    return 0


_KEY_BY = {"item": ["demand_units", "fill_rate", "backordered_units", "lost_units", "saved_by_substitute_units",
                    "revenue", "gross_margin"],
           "segment": ["visits", "fill_rate", "lost_units", "mean_loyalty", "revenue"]}


def _check_metrics_for(metrics: list[str] | None, by: str | None, command: str = "run") -> None:
    """--metric names the store's metrics, or with --by (of `stocklab run`) the per-item (per-segment) ones."""
    from . import _core
    from .results import METRICS

    if not metrics:
        return
    known = METRICS if by is None else [m["name"] for m in
                                        (_core.item_metric_info if by == "item" else _core.segment_metric_info)]
    unknown = [m for m in metrics if m not in known]
    if not unknown:
        return
    if by:
        raise ValueError(f"unknown metric(s) {unknown} per {by}: with --by {by}, --metric names the per-{by} "
                         f"metrics ({', '.join(known)})")
    where = "need --by item|segment" if command == "run" else "are shown by stocklab run --by item|segment"
    raise ValueError(f"unknown metric(s) {unknown}: per-item and per-segment metrics {where}")


def _by_order(exp: Any, by: str) -> list[str]:
    """The items' (segments') ids in the scenario's order."""
    return [str(k) for k in exp._table(by)[0][by].cat.categories]


def _by_metrics(exp: Any, by: str, metrics: list[str] | None) -> list[str]:
    """The metrics asked for per item (segment), or the key ones."""
    known = exp._table(by)[2] or exp.metrics
    return metrics or [m for m in _KEY_BY[by] if m in known]


def _print_by(exp: Any, by: str, baseline: str | None, metrics: list[str] | None) -> None:
    """Per item (or segment): mean [95% CI] per policy, then the paired differences against the baseline."""
    from stocklab.experiment import format_number
    from stocklab.metrics import table_metric_label

    lo, hi = _ci_names()
    order = _by_order(exp, by)
    metrics = _by_metrics(exp, by, metrics)
    summary = exp.summary(metrics, by=by)
    diffs = exp.differences(baseline, metrics, by=by) if baseline and len(exp.policies) > 1 else None
    for m in metrics:
        rows = summary[summary["metric"] == m]
        cell = [f"{format_number(a)} [{format_number(b)}, {format_number(c)}]"
                for a, b, c in zip(rows["mean"], rows[lo], rows[hi], strict=True)]
        wide = rows.assign(cell=cell).pivot(index=by, columns="policy", values="cell")
        print(f"\n{table_metric_label(m, by)} per {by}, mean [95% CI]:\n")
        _print_frame(wide.reindex(order)[exp.policies])
        if diffs is not None:
            d = diffs[diffs["metric"] == m]
            cell = [f"{format_number(a)} [{format_number(b)}, {format_number(c)}]"
                    for a, b, c in zip(d["difference"], d[lo], d[hi], strict=True)]
            print(f"\n  paired difference, policy - {baseline}:\n")
            _print_frame(d.assign(cell=cell).pivot(index=by, columns="policy", values="cell").reindex(order))


def _sweep_baseline(grid: dict[str, list[Any]], given: list[tuple[str, Any]] | None) -> dict[str, Any]:
    """The baseline configuration: the first values, replaced by those given; checked before running."""
    baseline = {k: values[0] for k, values in grid.items()}
    for key, value in given or []:
        if key not in grid:
            raise ValueError(f"--baseline {key}=...: {key!r} is not a swept field; swept: {list(grid)}")
        if json.dumps(value) not in {json.dumps(v) for v in grid[key]}:
            raise ValueError(f"--baseline {key}={json.dumps(value)} is not one of the swept values {grid[key]}")
        baseline[key] = value
    return baseline


def _sweep(args: argparse.Namespace) -> int:
    import stocklab as sl
    from stocklab.experiment import format_number

    sc = sl.load_scenario(args.scenario)
    grid = dict(args.grid)
    baseline = _sweep_baseline(grid, args.baseline)
    _check_metrics_for(args.metric, None, "sweep")  # before the run, not after it
    n_configs = math.prod(len(values) for values in grid.values())
    _warn_if_long(sc, sc.policies or [""], (args.replications or sc.replications) * n_configs, args.jobs)
    exp = sl.sweep(sc, grid, replications=args.replications, seed=args.seed, jobs=args.jobs,
                   progress=False if args.no_progress else None)
    if args.out:
        exp.save(args.out)
    if args.json:
        print(json.dumps(_sweep_json(exp, grid, baseline, args.metric), indent=2))
        return 0
    metrics = args.metric or SWEEP_METRICS
    _print_frame(exp.table(metrics))
    lo, hi = _ci_names()
    base_text = ", ".join(f"{k}={json.dumps(v)}" for k, v in baseline.items())
    for policy in exp.policies:
        d = exp.config_differences(baseline, metrics, policy=policy)
        print(f"\nPaired differences (common random numbers) of policy {policy!r}, configuration - {base_text}:\n")
        _print_frame(d[[*exp.config_columns, "metric", "difference", lo, hi, "note"]], index=False,
                     float_format=format_number)
        for cfg, same in _identical(d, exp.config_columns).items():
            print(f"note: {cfg} gave the same results as {same} in every replication (the same contender)")
    return 0


def _identical(d: Any, columns: list[str]) -> dict[str, str]:
    """configuration text -> the configuration it repeats, from config_differences' identical_to."""
    out = {}
    for r in d[d["identical_to"] != ""].to_dict("records"):
        out[", ".join(f"{c}={json.dumps(_plain(r[c]))}" for c in columns)] = r["identical_to"]
    return out


def _validate(args: argparse.Namespace) -> int:
    import stocklab as sl

    sc = sl.load_scenario(args.scenario)
    pols = ", ".join(sc.policies) or "none"
    print(f"{args.scenario}: valid (scenario {sc.name!r}; policies: {pols})")
    for note in sc.notes():
        print(f"note: {note}")
    return 0


# ---------------------------------------------------------------------------------------------
# stocklab optimize


def _space_arg(text: str) -> tuple[str, Any]:
    """KEY=LO:HI:STEP (HI included when on the grid), KEY=V1,V2,... or KEY=LO..HI (continuous)."""
    import numpy as np

    from .objectives import Continuous

    key, sep, spec = text.partition("=")
    bad = argparse.ArgumentTypeError(f"--space needs KEY=LO:HI:STEP, KEY=V1,V2,... or KEY=LO..HI (got {text!r})")
    if not sep or not key or not spec:
        raise bad
    try:
        if ".." in spec:
            lo, hi = (float(x) for x in spec.split(".."))
            return key, Continuous(lo, hi)
        if ":" in spec:
            parts = [json.loads(x) for x in spec.split(":")]
            if len(parts) != 3 or parts[2] <= 0:
                raise bad
            lo, hi, step = parts
            if all(isinstance(x, int) for x in parts):
                return key, range(lo, hi + 1, step)
            n = int(math.floor((hi - lo) / step + 1e-9)) + 1
            return key, [round(float(v), 12) for v in lo + step * np.arange(n)]
    except (ValueError, TypeError, json.JSONDecodeError):
        raise bad from None
    return _grid_arg(text)


def _objective_arg(text: str) -> Any:
    """METRIC, METRIC:min, or a weighted sum such as "holding_cost+ordering_cost:min" or
    "profit-0.5*lost_revenue" (maximised unless it ends in :min)."""
    import re

    body, _, sense = text.rpartition(":") if text.endswith((":min", ":max")) else (text, "", "max")
    terms = re.findall(r"\s*([+-]?)\s*(?:([0-9.eE+-]+)\s*\*\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*", body)
    if not terms or "".join(f"{s}{w}{'*' if w else ''}{m}" for s, w, m in terms) != body.replace(" ", ""):
        raise argparse.ArgumentTypeError(
            f"--objective needs METRIC, METRIC:min or a weighted sum like 'profit-0.5*lost_revenue' (got {text!r})")
    if len(terms) == 1 and not terms[0][0] and not terms[0][1]:
        return (terms[0][2], sense)
    weights: dict[str, float] = {}
    for sign, w, metric in terms:
        try:
            weights[metric] = weights.get(metric, 0.0) + (-1.0 if sign == "-" else 1.0) * float(w or 1)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--objective: {w!r} is not a number (in {text!r})") from None
    return (weights, sense)


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return v


def _add_optimize_parser(sub: Any) -> None:
    o = sub.add_parser("optimize", help="find each policy's best parameters and compare the policies at them",
                       description="Find each policy's best parameters (ranking and selection with common random "
                                   "numbers), then compare the policies at their optima on fresh replications.",
                       epilog=_OPTIMIZE_EXAMPLES, formatter_class=_FORMATTER)
    o.add_argument("scenario", help="scenario file, or the name of a bundled one (e.g. camera_lens)")
    o.add_argument("--space", action="append", type=_space_arg, required=True,
                   help="KEY=LO:HI:STEP (HI included), KEY=V1,V2,... or KEY=LO..HI (continuous); repeatable")
    o.add_argument("--objective", type=_objective_arg, default=("profit", "max"),
                   help="METRIC, METRIC:min, or a weighted sum like 'profit-0.5*lost_revenue' (default: profit)")
    o.add_argument("--constraint", action="append", default=[], help="e.g. 'fill_rate>=0.95' (repeatable)")
    o.add_argument("--policies", help="comma-separated policy variants (default: the scenario's)")
    o.add_argument("--delta", type=_positive_float, required=True,
                   help="indifference zone, in the objective's units: smaller differences do not matter")
    o.add_argument("--pcs", type=float, default=0.95, help="probability of correct selection (default 0.95)")
    o.add_argument("--n0", type=_positive_int, default=10, help="first-stage replications (default 10)")
    o.add_argument("--method", choices=["auto", "exhaustive", "optuna"], default="auto",
                   help="exhaustive: every point of a small space; optuna: a search, then selection (default: auto)")
    o.add_argument("--budget-replications", type=_positive_int, help="search budget per policy (optuna)")
    o.add_argument("--budget-seconds", type=_positive_float, help="search time per policy (optuna)")
    o.add_argument("--replications", "-n", type=_positive_int,
                   help="fresh replications at the optima (default: the scenario's run.replications)")
    o.add_argument("--seed", "-s", type=_seed, help="random seed, shared by every policy (default: run.seed)")
    o.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                   help="C++ threads (default: one per core; at most 4 per core, or 256)")
    o.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    o.add_argument("--out", type=_csv_destination, metavar="FILE.csv",
                   help="save the history of evaluated configurations (.csv); checked before the search starts")
    o.add_argument("--no-progress", action="store_true", help="no progress bar (also: STOCKLAB_NO_PROGRESS=1)")


def _optimize(args: argparse.Namespace) -> int:
    import warnings

    import pandas as pd

    import stocklab as sl
    from stocklab.experiment import format_number

    sc = sl.load_scenario(args.scenario)
    policies = [p.strip() for p in args.policies.split(",")] if args.policies else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sl.optimize(sc, dict(args.space), args.objective, delta=args.delta, policies=policies,
                          constraints=args.constraint, pcs=args.pcs, n0=args.n0, method=args.method,
                          budget_replications=args.budget_replications, budget_seconds=args.budget_seconds,
                          replications=args.replications, seed=args.seed, jobs=args.jobs,
                          progress=False if args.no_progress else None)
    for w in caught:
        print(f"stocklab: warning: {w.message}", file=sys.stderr)
    if args.out:
        res.history.to_csv(args.out, index=False)
    if args.json:
        print(json.dumps(res.to_dict(), indent=2, default=str))
        return 130 if res.interrupted else 0
    m = res.meta
    cons = f" subject to {', '.join(m['constraints'])}" if m["constraints"] else ""
    print(f"{m['scenario']}: {m['direction']}imise {m['objective']}{cons} ({m['method']}, "
          f"{m['total_replications']:,} replications, {m['seconds']:.1f} s).\n{m['guarantee']}.\n")
    table = res.summary()
    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(table.to_string(index=False, float_format=format_number))
        if res.comparison is not None and len(res.best) > 1:
            d = res.differences()[["policy", "baseline", "metric", "difference", "ci95_low", "ci95_high"]]
            print(f"\nPaired differences at the optima ({m['replications']} fresh replications, common random "
                  f"numbers), policy - {res.policies[0]}:\n")
            print(d.to_string(index=False, float_format=format_number))
    if res.interrupted:
        print("\nstocklab: interrupted: the best so far, without the stated guarantee", file=sys.stderr)
        return 130
    return 0


def _message(e: BaseException) -> str:
    """The error's own words, without the Python exception class name."""
    if isinstance(e, KeyError) and e.args:
        return str(e.args[0])
    if isinstance(e, MemoryError):
        return "out of memory" + (f" ({e})" if str(e) else "")
    return str(e) or type(e).__name__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``stocklab`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            from .scenario import schema

            print(json.dumps(schema(), indent=2))
            return 0
        return {"run": _run, "sweep": _sweep, "optimize": _optimize, "validate": _validate}[args.command](args)
    except KeyboardInterrupt:
        print("stocklab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, KeyError, TypeError, OSError, RuntimeError, MemoryError) as e:
        print(f"stocklab: error: {_message(e)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
