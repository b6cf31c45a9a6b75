"""Golden fingerprints: what every bundled scenario (and a few coverage scenarios) produces.

For every scenario file, every policy variant (and the base) and two seeds, the summary is stored
value by value and the time series, the event log (recording on), the ledger and the per-item,
per-segment and per-vendor tables are stored as one digest per column. A refactoring must leave all
of them unchanged; a change that moves numbers on purpose regenerates them in the same commit and
says why:

    .venv/bin/python tests/python/fingerprints.py --check     # what differs, section by section
    .venv/bin/python tests/python/fingerprints.py --update    # add what is new, keep the rest
    .venv/bin/python tests/python/fingerprints.py --reset     # rewrite everything (numbers moved)

``--update`` refuses to overwrite a stored value that changed: new metrics or columns are added,
nothing stored is silently replaced.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import stocklab as sl

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "tests" / "data" / "fingerprints.json"
COVERAGE = ROOT / "tests" / "data" / "fingerprint_scenarios"
SEEDS = (1, 2)


class PeriodicPolicy(sl.ReplenishmentPolicy):
    """(R, s, S) written in Python, reviewed every 6 days at an offset of 1.5."""

    def order(self, view: sl.InventoryView) -> int:
        return 200 - view.inventory_position if view.inventory_position <= 90 else 0

    def review_period_days(self) -> float:
        return 6.0

    def review_offset_days(self) -> float:
        return 1.5


class ContinuousPolicy(sl.ReplenishmentPolicy):
    """(s, Q) written in Python, asked after every change of the inventory position."""

    def order(self, view: sl.InventoryView) -> int:
        return 80 if view.inventory_position <= 60 else 0


CUSTOM: dict[str, Callable[[], sl.ReplenishmentPolicy]] = {
    "python_periodic": PeriodicPolicy,
    "python_continuous": ContinuousPolicy,
}


def scenario_files() -> list[Path]:
    bundled = sorted(p for p in (ROOT / "scenarios").glob("*.json") if p.stem != "schema")
    return bundled + sorted(COVERAGE.glob("*.json"))


def cases() -> Iterator[tuple[str, sl.Scenario, str, Callable[[], sl.ReplenishmentPolicy] | None]]:
    """(case name, scenario with recording on, policy variant, custom policy factory)."""
    for path in scenario_files():
        sc = sl.load_scenario(path).with_overrides({"run.record_events": True, "run.record_ledger": True})
        for policy in ["", *sc.policies]:
            yield f"{path.stem}/{policy or 'base'}", sc, policy, None
        if path.stem == "camera_lens":
            for name, factory in CUSTOM.items():
                yield f"{path.stem}/backorder+{name}", sc, "backorder", factory


def _digest(values: Any) -> str:
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        data = "\n".join(map(str, values)).encode()
    else:
        arr = np.asarray(values)
        if arr.dtype.kind in "iub":
            arr = arr.astype(np.int64)
        elif arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
        else:
            arr = np.asarray([str(v) for v in arr])
        data = np.ascontiguousarray(arr).tobytes() if arr.dtype.kind in "if" else "\n".join(arr).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def _value(x: float) -> float | str:
    return "nan" if math.isnan(x) else float(x)


def _frame(df: pd.DataFrame) -> dict[str, str]:
    out = {"rows": str(len(df))}
    out.update({col: _digest(df[col]) for col in df.columns})
    return out


def fingerprint(sc: sl.Scenario, policy: str, seed: int, factory: Callable[[], Any] | None) -> dict[str, Any]:
    run = sl.simulate(sc, seed=seed, policy=policy, replenishment=factory() if factory else None)
    out = {
        "summary": {k: _value(v) for k, v in run.summary.items()},
        "timeseries": _frame(run.timeseries),
        "events": _frame(run.events),
        "ledger": _frame(run.ledger),
    }
    for table in ("items", "segments", "vendors"):  # the store's tables, one row per item, segment, vendor
        out[table] = _frame(getattr(run, table).reset_index())
    return out


def compute() -> dict[str, dict[str, Any]]:
    return {f"{name}/seed={seed}": fingerprint(sc, policy, seed, factory)
            for name, sc, policy, factory in cases() for seed in SEEDS}


def load() -> dict[str, dict[str, Any]]:
    return json.loads(STORE.read_text(encoding="utf-8")) if STORE.exists() else {}


def differences(stored: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Every stored value that is missing or different now ('case: section.key stored -> now')."""
    out = []
    for case, sections in stored.items():
        if case not in now:
            out.append(f"{case}: case no longer produced")
            continue
        for section, values in sections.items():
            got = now[case].get(section, {})
            for key, want in values.items():
                have = got.get(key, "<missing>")
                if have != want:
                    out.append(f"{case}: {section}.{key} {want} -> {have}")
    return out


def not_stored(stored: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Cases, sections and keys produced now but not yet stored."""
    out = []
    for case, sections in now.items():
        for section, values in sections.items():
            for key in values:
                if key not in stored.get(case, {}).get(section, {}):
                    out.append(f"{case}: {section}.{key}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="print what differs from the stored fingerprints")
    mode.add_argument("--update", action="store_true", help="store what is new; refuse if a stored value moved")
    mode.add_argument("--reset", action="store_true", help="store everything anew (numbers moved on purpose)")
    args = ap.parse_args(argv)
    stored, now = load(), compute()
    moved = differences(stored, now)
    if args.check or (args.update and moved):
        for line in moved:
            print(line)
        for line in not_stored(stored, now):
            print(f"new: {line}")
        if args.update:
            print(f"--update refused: {len(moved)} stored values moved (use --reset in a commit that says why)")
        return 1 if moved else 0
    merged = now if args.reset else {c: {s: {**stored.get(c, {}).get(s, {}), **v} for s, v in secs.items()}
                                     for c, secs in now.items()}
    STORE.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"stored {len(merged)} cases in {STORE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
