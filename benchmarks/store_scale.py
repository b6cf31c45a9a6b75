"""A store at scale: 1,000 items and 100,000 customers over one year (issue 14's target).

Prints, side by side, for the one-item camera lens and for generated stores of several sizes: wall
time of one replication (best of N, one thread; the one-year lens timed as a batch of 200), events,
time per event and its ratio to the camera lens's, time per unit demanded (a store's visit asks for
two items on average, a one-item occasion for one), and the run's peak memory. Memory is measured in
a fresh subprocess per point (as scaling.py does: VmHWM after resetting it, minus the RSS before the
run), and fitted as a + b x items + c x customers to show it is linear in items plus customers (no
per-customer-per-item state).
Last, the generated store with one item and the same 100,000 customers and visits: the one-item
engine on the same population, so the target's ratio is also shown apart from the population's size;
then both again with one item a visit (reorder levels for that demand), so an event of the store and
one of the one-item engine do the same work: one purchase line.

The generated store: items with a long tail of popularity (Zipf, exponent 1), each replenished by
(s, S) from one of four vendors; 30% of items list two substitutes; two customer segments; baskets
of 1 to 3 items; 5 visits a day per 1,000 customers (so 500 a day at 100,000); lost sales with
backorders on the most popular tenth of the items.

    python benchmarks/store_scale.py [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import _common as C
import numpy as np


def store(items: int, customers: int, years: float = 1.0, one_a_visit: bool = False) -> dict:
    """The generated store's scenario document; `one_a_visit`: every visit asks for one item (the
    one-item engine's work an event), with reorder levels for that demand."""
    rng = np.random.default_rng(20261130)
    ids = [f"sku{k:05d}" for k in range(items)]
    popularity = 1.0 / np.arange(1, items + 1)
    visits = 5.0 * customers / 1000.0
    lines_per_day = visits * (1.0 if one_a_visit else 2.0)  # baskets of 1-3 items, or one
    catalogue = {}
    for k, item_id in enumerate(ids):
        daily = lines_per_day * popularity[k] / popularity.sum()
        s = max(1, int(round(daily * 14)))
        entry = {
            "price": float(round(rng.uniform(10, 500), 2)), "unit_cost": 0.0, "popularity": float(popularity[k]),
            "holding_cost_per_unit_day": 0.01, "initial_on_hand": 2 * s,
            "replenishment": {"policy": "s_S", "s": s, "S": 3 * s}, "vendors": [f"v{k % 4}"],
        }
        entry["unit_cost"] = round(entry["price"] * 0.6, 2)
        if rng.random() < 0.3 and items > 2:
            entry["substitutes"] = [ids[(k + 1) % items], ids[(k + 2) % items]]
        if k < items // 10:
            entry["shortage"] = {"rule": "backorder"}
        catalogue[item_id] = entry
    return {
        "schema_version": 2, "name": f"store_{items}x{customers}",
        "run": {"horizon_days": 365.0 * years, "snapshot_interval_days": 0, "record_ledger": False},
        "initial": {"cash": 1e6},
        "demand": {"model": "customers", "visits_per_day": visits,
                   "basket": ({"dist": "constant", "value": 1} if one_a_visit
                              else {"dist": "uniform_int", "low": 1, "high": 3})},
        "customers": {"population": customers,
                      "segments": {"regular": {"share": 0.8}, "pro": {"share": 0.2, "visit_rate_factor": 2.0}}},
        "vendors": {f"v{v}": {"lead_time": {"dist": "gamma", "mean": 7.0 + 3 * v, "cv": 0.3}, "order_cost": 20.0}
                    for v in range(4)},
        "items": catalogue,
        "shortage": {"rule": "lost_sales"},
    }


def child(spec: dict) -> None:
    """One point in a fresh process: best wall time, events, peak memory of the run (JSON line)."""
    from scaling import reset_peak, vm

    from stocklab import _core

    if spec["kind"] == "lens":
        parsed = C.camera_lens({**C.QUIET, "run.horizon_days": 365.0 * spec["years"]}).parsed("backorder")
    else:
        doc = store(spec["items"], spec["customers"], one_a_visit=spec.get("one_a_visit", False))
        parsed = _core.parse_scenario(json.dumps(doc), "")
    # A one-year lens replication takes a third of a millisecond: timed as a batch of them (its time and
    # events divided by the batch) so the timer and the call do not count in its time an event.
    batch = spec.get("batch", 1)
    base = vm("VmRSS")
    reset = reset_peak()
    best, rows = float("inf"), []
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter()
        rows = _core.run_replications(parsed, 1, 0, batch, 1)
        best = min(best, time.perf_counter() - t0)
    assert len(rows) == batch
    mean = {name: sum(float(r[C.metric_index(name)]) for r in rows) / batch
            for name in ("events", "purchase_occasions", "demand_units")}
    print(json.dumps({"seconds": best / batch, "events": mean["events"], "occasions": mean["purchase_occasions"],
                      "units": mean["demand_units"],
                      "run_mb": (vm("VmHWM") - base) if reset else float("nan")}))


def point(spec: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True,
                         check=True, cwd=C.ROOT / "benchmarks")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="the target point only")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    C.header("A store at scale: one replication of one year, one thread", args.repeats)
    lens = point({"kind": "lens", "years": 1, "repeats": args.repeats, "batch": 200})
    steady = point({"kind": "lens", "years": 100, "repeats": args.repeats})
    sizes = [(1000, 100_000)] if args.quick else [(1000, 100_000), (2000, 100_000), (1000, 200_000),
                                                   (100, 100_000), (1000, 10_000)]
    rows, fits = [], []
    ns_lens = lens["seconds"] / lens["events"] * 1e9
    ns_steady = steady["seconds"] / steady["events"] * 1e9

    def row(label: str, r: dict) -> list[str]:
        ns = r["seconds"] / r["events"] * 1e9
        return [label, f"{r['seconds']:.4f}", f"{r['events']:,.0f}", f"{ns:.0f}", f"{ns / ns_lens:.2f}",
                f"{ns / ns_steady:.2f}", f"{r['seconds'] / r['units'] * 1e9:.0f}", f"{r['run_mb']:.1f}"]

    rows += [row("camera lens, 1 year (1 item, 3,000 customers)", lens),
             row("camera lens, 100 years (steady state)", steady)]
    by_size = {}
    for items, customers in sizes:
        r = by_size[items, customers] = point({"kind": "store", "items": items, "customers": customers,
                                                "repeats": args.repeats})
        rows.append(row(f"store: {items:,} items, {customers:,} customers", r))
        fits.append((items, customers, r["run_mb"]))
    # The one-item engine on the same customers and visits: what the assortment itself costs an event,
    # apart from the larger population (the lens has 3,000 customers, whose records stay in cache).
    single = point({"kind": "store", "items": 1, "customers": 100_000, "repeats": args.repeats})
    rows.append(row("one item, 100,000 customers (same visits)", single))
    # Events of equal work: every visit asks for one item, as every occasion of the one-item engine does.
    one = {"kind": "store", "customers": 100_000, "repeats": args.repeats, "one_a_visit": True}
    store_one = point({**one, "items": 1000})
    single_one = point({**one, "items": 1})
    rows += [row("store: 1,000 items, 100,000 customers, one item a visit", store_one),
             row("one item, 100,000 customers, one item a visit", single_one)]
    C.table(["model", "s / replication", "events", "ns / event", "x lens 1y", "x lens 100y", "ns / unit demanded",
             "run peak MiB"], rows)
    target = by_size[1000, 100_000]

    def per(r: dict, what: str) -> float:
        return r["seconds"] / r[what]

    print(f"\n1,000 items x 100,000 customers against one item with the same customers and visits: "
          f"{per(target, 'events') / per(single, 'events'):.2f}x the time an event; "
          f"{per(target, 'units') / per(single, 'units'):.2f}x the time a unit demanded (a visit asks for "
          f"{target['units'] / target['occasions']:.2f} units, against {single['units'] / single['occasions']:.2f}).")
    equal = per(store_one, "events") / per(single_one, "events")
    print(f"With one item a visit on both (events of equal work): {equal:.2f}x the time an event.")
    if len(fits) >= 3:
        a = np.array([[1.0, i, c] for i, c, _ in fits])
        coef, *_ = np.linalg.lstsq(a, np.array([m for *_, m in fits]), rcond=None)
        resid = np.array([m for *_, m in fits]) - a @ coef
        print(f"\nMemory fit: {coef[0]:.1f} MiB + {coef[1] * 1024:.2f} KiB per item + {coef[2] * 2**20:.0f} bytes "
              f"per customer (largest residual {np.abs(resid).max():.1f} MiB): linear in items + customers.")
    print("\nTarget (issue 14): 1,000 items x 100,000 customers, one year, well under 1 s per replication, "
          "time per event within 1.5x of the one-item engine's.")


if __name__ == "__main__":
    main()
