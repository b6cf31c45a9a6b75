"""The command line: stocklab run | sweep | optimize | validate | schema."""

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


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _json_report(exp: Any) -> dict[str, Any]:
    s = exp.summary()
    pols: dict[str, Any] = {}
    for r in s.itertuples(index=False):
        pols.setdefault(r.policy, {})[r.metric] = {"mean": _num(r.mean), "ci95": [_num(r.ci95_low), _num(r.ci95_high)]}
    return {"scenario": exp.meta["scenario"], "seed": exp.meta["seed"], "replications": exp.meta["replications"],
            "policies": pols}


def _grid_arg(text: str) -> tuple[str, list[Any]]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--grid needs KEY=V1,V2,... (got {text!r})")
    key, vals = text.split("=", 1)
    out = []
    for v in vals.split(","):
        v = v.strip()
        try:
            out.append(json.loads(v))
        except json.JSONDecodeError:
            out.append(v)
    if not key or not out or out == [""]:
        raise argparse.ArgumentTypeError(f"--grid needs KEY=V1,V2,... (got {text!r})")
    return key, out


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer seed, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer seed, got {text!r}")
    return v


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stocklab", description="What a retailer gains and loses when an item runs out.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="compare the scenario's policies over replications")
    r.add_argument("scenario", help="scenario file, or the name of a bundled one (e.g. camera_lens)")
    r.add_argument("--replications", "-n", type=_positive_int, help="default: the scenario's run.replications")
    r.add_argument("--seed", "-s", type=_seed, help="default: the scenario's run.seed")
    r.add_argument("--jobs", "-j", type=_positive_int, help="C++ threads (default: all cores)")
    r.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    r.add_argument("--out", help="also save every replication (.csv or .parquet)")
    r.add_argument("--all-metrics", action="store_true", help="show every metric, not the key ones")
    r.add_argument("--no-progress", action="store_true")
    w = sub.add_parser("sweep", help="run a grid of parameter values")
    w.add_argument("scenario")
    w.add_argument("--grid", action="append", type=_grid_arg, required=True, help="KEY=V1,V2,... (repeatable)")
    w.add_argument("--replications", "-n", type=_positive_int)
    w.add_argument("--seed", "-s", type=_seed)
    w.add_argument("--jobs", "-j", type=_positive_int)
    w.add_argument("--metric", action="append", help="metrics to show (default: a few key ones)")
    w.add_argument("--out", help="save every replication (.csv or .parquet)")
    w.add_argument("--no-progress", action="store_true")
    _add_optimize_parser(sub)
    v = sub.add_parser("validate", help="check a scenario file and every policy variant in it")
    v.add_argument("scenario")
    sub.add_parser("schema", help="print the JSON Schema of scenario files")
    return p


def _save(exp: Any, path: str) -> None:
    if path.endswith(".parquet"):
        exp.to_parquet(path)
    else:
        exp.to_csv(path)


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


def _run(args: argparse.Namespace) -> int:
    import pandas as pd

    import stocklab as sl
    from stocklab.experiment import format_number
    from stocklab.metrics import metric_label

    sc = sl.load_scenario(args.scenario)
    _warn_if_long(sc, sc.policies or [""], args.replications or sc.replications, args.jobs)
    exp = sl.compare(sc, replications=args.replications, seed=args.seed, jobs=args.jobs,
                     progress=False if args.no_progress else None)
    if args.out:
        _save(exp, args.out)
    if args.json:
        print(json.dumps(_json_report(exp), indent=2))
        return 0
    metrics = None if args.all_metrics else [m for m in KEY_METRICS if m in exp.metrics]
    print(f"{sc.name}: {exp.meta['replications']} replications, seed {exp.meta['seed']}, "
          f"horizon {sc.horizon_days:g} days. Mean [95% CI] per policy.\n")
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        table = exp.table(metrics)
        table.insert(0, "label", [metric_label(m) for m in table.index])  # from the metric table
        print(table.to_string())
        if len(exp.policies) > 1:
            d = exp.differences(metrics=metrics)
            d = d[["policy", "baseline", "metric", "difference", "ci95_low", "ci95_high"]].dropna(subset=["difference"])
            print(f"\nPaired differences (common random numbers), policy - {exp.policies[0]}:\n")
            print(d.to_string(index=False, float_format=format_number))
    return 0


def _sweep(args: argparse.Namespace) -> int:
    import pandas as pd

    import stocklab as sl

    sc = sl.load_scenario(args.scenario)
    grid = dict(args.grid)
    n_configs = 1
    for values in grid.values():
        n_configs *= len(values)
    _warn_if_long(sc, sc.policies or [""], (args.replications or sc.replications) * n_configs, args.jobs)
    exp = sl.sweep(sc, grid, replications=args.replications, seed=args.seed, jobs=args.jobs,
                   progress=False if args.no_progress else None)
    if args.out:
        _save(exp, args.out)
    metrics = args.metric or ["fill_rate", "profit", "final_cash", "lost_units"]
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
        print(exp.table(metrics).to_string())
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
    o = sub.add_parser("optimize", help="find each policy's best parameters and compare the policies at them")
    o.add_argument("scenario")
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
    o.add_argument("--method", choices=["auto", "exhaustive", "optuna"], default="auto")
    o.add_argument("--budget-replications", type=_positive_int, help="search budget per policy (optuna)")
    o.add_argument("--budget-seconds", type=_positive_float, help="search time per policy (optuna)")
    o.add_argument("--replications", "-n", type=_positive_int,
                   help="fresh replications at the optima (default: the scenario's run.replications)")
    o.add_argument("--seed", "-s", type=_seed)
    o.add_argument("--jobs", "-j", type=_positive_int)
    o.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    o.add_argument("--out", help="save the history of evaluated configurations (.csv)")
    o.add_argument("--no-progress", action="store_true")


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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            from .scenario import schema

            print(json.dumps(schema(), indent=2))
            return 0
        if args.command == "validate":
            import stocklab as sl

            sc = sl.load_scenario(args.scenario)
            pols = ", ".join(sc.policies) or "none"
            print(f"{args.scenario}: valid (scenario {sc.name!r}; policies: {pols})")
            return 0
        if args.command == "run":
            return _run(args)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "optimize":
            return _optimize(args)
    except KeyboardInterrupt:
        print("stocklab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, KeyError, TypeError, OSError, RuntimeError) as e:
        name = type(e).__name__
        msg = str(e) if name in ("ScenarioError",) else f"{name}: {e}"
        print(f"stocklab: error: {msg}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
