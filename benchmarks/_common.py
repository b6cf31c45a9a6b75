"""Shared helpers of the benchmark scripts: timing (best of N), tables, scenarios, machine notes.

Benchmarks print figures and ratios; they are not tests and never assert on timings.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "camera_lens.json"
POLICIES = ("out_of_stock", "backorder")

# Settings for speed runs: no time series, no ledger rows, no event log (as in experiments).
QUIET = {"run.snapshot_interval_days": 0, "run.record_ledger": False, "run.record_events": False}


def header(title: str, repeats: int | None = 3) -> None:
    """Title plus what the numbers mean on this machine."""
    import stocklab

    print(f"== {title} ==")
    try:
        load = os.getloadavg()
        load_s = f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    except OSError:
        load_s = "load average n/a"
    print(
        f"stocklab {stocklab.__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, {load_s}"
    )
    if repeats:
        print(
            f"Timings: best of {repeats} repeats (the machine is shared, so single timings are noisy; "
            "the best is the least disturbed)."
        )
    print()


def best_of(fn: Callable[[], Any], repeats: int = 3) -> tuple[float, Any, list[float]]:
    """Run fn() `repeats` times; (best wall seconds, result of the best run, all times)."""
    times: list[float] = []
    best_t, best_r = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        if dt < best_t:
            best_t, best_r = dt, r
    return best_t, best_r, times


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """A plain fixed-width table (right-aligned numbers)."""
    cells = [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    if title:
        print(title)
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    print()


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v != v:
            return "nan"
        a = abs(v)
        if a >= 1e5:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:,.1f}"
        if a >= 1:
            return f"{v:.3f}"
        return f"{v:.4g}"
    return str(v)


def si(x: float, unit: str = "") -> str:
    """1.23 M events/s style."""
    for f, p in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= f:
            return f"{x / f:.2f} {p}{unit}"
    return f"{x:.3g} {unit}".rstrip()


def camera_lens(overrides: dict[str, Any] | None = None):
    """The camera-lens scenario with optional dotted-path overrides."""
    import stocklab as sl

    sc = sl.load_scenario(SCENARIO)
    return sc.with_overrides(overrides) if overrides else sc


def textbook_poisson(overrides: dict[str, Any] | None = None):
    """The camera-lens item with the anonymous textbook Poisson stream (behaviour off, no customers)."""
    import stocklab as sl

    doc = sl.load_scenario(SCENARIO).to_dict()
    doc["name"] = "textbook_poisson"
    doc["demand"] = {
        "model": "poisson",
        "rate_per_day": doc["demand"]["rate_per_day"],
        "order_size": {"dist": "constant", "value": 1},
    }
    doc.pop("customers", None)
    # Textbook backorders: no prepayment and no quote needed (customers wait forever).
    doc["policies"] = {
        "out_of_stock": {"shortage": {"rule": "lost_sales"}},
        "backorder": {"shortage": {"rule": "backorder"}},
    }
    sc = sl.Scenario.from_dict(doc)
    return sc.with_overrides(overrides) if overrides else sc


def metric_index(name: str) -> int:
    import stocklab as sl

    return list(sl.METRICS).index(name)


def rss_mb() -> float:
    """Current resident set size of this process in MiB (psutil, else /proc)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:  # pragma: no cover
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def flush() -> None:
    sys.stdout.flush()
