"""Soak: does resident memory stay flat over a very long run and over many replications?

1. Engine, 1000 years: stocklab._core.simulate() of the camera-lens model (backorders) runs in a
   thread with the GIL released, snapshots, ledger rows and the event log off; the main thread samples
   this process's RSS every --interval seconds. The run may grow only with what the model holds:
   the population (new customers arrive at 0.5 a day, 48 bytes each) and open orders/backorders.
2. Interactive, stocklab.Simulation.run_until() in chunks: prints simulated time, customers, waiting
   customers, open orders, event-log rows and RSS. The interactive Simulation narrates (keeps an event
   log for step()'s sentences) whether or not run.record_events asks for it, so this shows whether the
   log, and memory, grow with the horizon.
3. 10,000 replications of the camera-lens year (both policies) in chunks through
   _core.run_replications (all cores), RSS sampled after each chunk; the summaries are kept, as a user
   would (46 doubles per replication and policy).

    python benchmarks/soak.py [--years 1000] [--interactive-years 100] [--replications 10000]
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import _common as C
import numpy as np


def engine_soak(years: float, interval: float) -> None:
    from stocklab import _core

    sc = C.camera_lens({**C.QUIET, "run.horizon_days": 365.0 * years})
    parsed = sc.parsed("backorder")
    samples: list[tuple[float, float]] = []
    result: dict = {}

    def work() -> None:
        result["r"] = _core.simulate(parsed, 1, 0, None)

    rss0 = C.rss_mb()
    t0 = time.perf_counter()
    th = threading.Thread(target=work)
    th.start()
    while th.is_alive():
        samples.append((time.perf_counter() - t0, C.rss_mb()))
        th.join(interval)
    wall = time.perf_counter() - t0
    samples.append((wall, C.rss_mb()))
    s = result["r"]["summary"]
    events = float(s[C.metric_index("events")])
    customers = int(parsed_population(sc) + s[C.metric_index("new_customers")])
    step = max(1, len(samples) // 12)
    shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
    C.table(
        ["wall s", "RSS MiB", "vs before run MiB"],
        [[t, r, r - rss0] for t, r in shown],
        title=f"-- 1. engine: {years:g} years in one run ({events:,.0f} events, {wall:.1f} s), RSS sampled "
        f"every {interval:g} s --",
    )
    growth = max(r for _, r in samples) - rss0
    expect = (customers - parsed_population(sc)) * 48 / 2**20
    print(
        f"RSS before {rss0:.1f} MiB, peak {rss0 + growth:.1f} MiB (+{growth:.1f}); the population grew from "
        f"{parsed_population(sc):,} to {customers:,} customers (~{expect:.1f} MiB at 48 B each); "
        f"events handled: {events:,.0f}."
    )
    print()


def parsed_population(sc) -> int:
    return int(sc.to_dict()["customers"]["population"])


def interactive_soak(years: float, chunks: int) -> None:
    import stocklab as sl

    sc = C.camera_lens({**C.QUIET, "run.horizon_days": 365.0 * years})
    sim = sl.Simulation(sc, seed=1, policy="backorder")
    rows = []
    rss0 = C.rss_mb()
    t0 = time.perf_counter()
    for k in range(1, chunks + 1):
        sim.run_until(365.0 * years * k / chunks)
        st = sim.state
        rows.append(
            [
                st["time"] / 365.0,
                st["customers"],
                st["active_customers"],
                st["waiting_customers"],
                st["open_orders"],
                st["events"],
                sim._sim.log_size,
                C.rss_mb(),
                C.rss_mb() - rss0,
            ]
        )
    wall = time.perf_counter() - t0
    C.table(
        [
            "year",
            "customers",
            "active",
            "waiting",
            "open orders",
            "events",
            "event-log rows",
            "RSS MiB",
            "growth MiB",
        ],
        rows,
        title=f"-- 2. interactive stocklab.Simulation, run_until in {chunks} chunks "
        f"(record_events false; {wall:.2f} s) --",
    )
    rows_per_year = rows[-1][6] / years
    print(
        f"The event log holds {rows[-1][6]:,} rows after {years:g} years ({rows_per_year:,.0f} a year, "
        "72 bytes each); it keeps only the latest 100,000 to 200,000 rows (at most about "
        f"{200_000 * 72 / 2**20:.0f} MiB), so it stops growing however long the run."
        if rows[-1][6]
        else "The interactive Simulation kept no event log."
    )
    print()


def replication_soak(n: int, chunk: int) -> None:
    from stocklab import _core

    sc = C.camera_lens()
    parsed = {p: sc.parsed(p) for p in C.POLICIES}
    jobs = _core.hardware_jobs()
    kept: list[np.ndarray] = []
    rows = []
    rss0 = C.rss_mb()
    t0 = time.perf_counter()
    done = 0
    while done < n:
        c = min(chunk, n - done)
        for p in C.POLICIES:
            kept.append(_core.run_replications(parsed[p], 7, done, c, jobs))
        done += c
        rows.append([done, time.perf_counter() - t0, C.rss_mb(), C.rss_mb() - rss0])
    wall = time.perf_counter() - t0
    step = max(1, len(rows) // 10)
    shown = rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else [])
    C.table(
        ["replications", "wall s", "RSS MiB", "growth MiB"],
        shown,
        title=f"-- 3. {n:,} replications x {len(C.POLICIES)} policies in chunks of {chunk} "
        f"({jobs} threads, {wall:.1f} s, {2 * n / wall:,.0f} replications/s) --",
    )
    kept_mb = sum(a.nbytes for a in kept) / 2**20
    first, last = rows[min(1, len(rows) - 1)][2], rows[-1][2]
    print(
        f"RSS after the 2nd chunk {first:.1f} MiB, at the end {last:.1f} MiB ({last - first:+.1f} MiB; "
        f"the kept summaries are {kept_mb:.1f} MiB)."
    )
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=float, default=1000.0, help="engine soak horizon (default 1000)")
    ap.add_argument(
        "--interval", type=float, default=0.25, help="RSS sampling interval, seconds (default 0.25)"
    )
    ap.add_argument(
        "--interactive-years",
        type=float,
        default=100.0,
        help="interactive Simulation horizon (default 100; 0 skips)",
    )
    ap.add_argument("--chunks", type=int, default=10, help="run_until chunks of the interactive soak")
    ap.add_argument("--replications", type=int, default=10000, help="replications per policy (default 10000)")
    ap.add_argument("--chunk", type=int, default=500, help="replications per chunk (default 500)")
    args = ap.parse_args()
    os.environ.setdefault("STOCKLAB_NO_PROGRESS", "1")

    C.header("soak: resident memory over long runs and many replications", repeats=None)
    engine_soak(args.years, args.interval)
    C.flush()
    if args.interactive_years > 0:
        interactive_soak(args.interactive_years, args.chunks)
        C.flush()
    replication_soak(args.replications, args.chunk)


if __name__ == "__main__":
    main()
