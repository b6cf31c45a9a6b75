"""Scaling: wall time and peak resident memory against the horizon and against the customer population.

Every point runs in a fresh subprocess (so one point's memory cannot hide another's); the parent reads
the child's peak RSS from os.wait4 (ru_maxrss of exactly that child: interpreter, numpy/pandas/scipy
imports and the run). Because the imports alone take ~160 MiB, the child also measures the run by
itself: it resets the kernel's high-water mark just before the run (writing 5 to
/proc/self/clear_refs) and reads VmHWM afterwards, so `run MiB` = peak during the run - RSS before it.
Snapshots, the ledger and the event log are off. One replication per point, timed best of 3 inside
the child (the peak RSS is the same on every repeat).

Horizon: 1, 10, 100, 1000 years of the camera-lens model as it is (3,000 customers plus new customers
at 0.5 a day, so the population itself grows with the horizon) and with a closed population (no new
customers), which isolates what the horizon alone costs.
Population: 1e2 .. 1e6 customers over one year, total purchase rate unchanged (6 a day), so the event
count stays about the same and memory and set-up time show the per-customer cost.

    python benchmarks/scaling.py [--repeats 3] [--max-years 1000] [--max-population 1e6]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import _common as C


def child(spec: dict) -> None:
    """Runs one point and prints a JSON line (used by the parent through subprocess)."""
    from stocklab import _core

    over = {**C.QUIET, "run.horizon_days": spec["horizon"]}
    if spec.get("population"):
        over["customers.population"] = int(spec["population"])
    if spec.get("closed"):
        over["customers.new_customers.rate_per_day"] = 0.0
    sc = C.camera_lens(over)
    parsed = sc.parsed(spec["policy"])
    _core.run_replications(C.camera_lens({**C.QUIET, "run.horizon_days": 30.0}).parsed(), 1, 0, 1, 1)  # warm
    base = vm("VmRSS")
    reset = reset_peak()
    best, out = float("inf"), None
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter()
        out = _core.run_replications(parsed, 1, 0, 1, 1)
        best = min(best, time.perf_counter() - t0)
    row = out[0]
    print(
        json.dumps(
            {
                "seconds": best,
                "base_mb": base,
                "run_peak_mb": vm("VmHWM") if reset else float("nan"),
                "events": float(row[C.metric_index("events")]),
                "customers_end": float(row[C.metric_index("new_customers")])
                + float(sc.to_dict()["customers"]["population"]),
            }
        )
    )


def vm(key: str) -> float:
    """VmRSS / VmHWM of this process in MiB (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def point(spec: dict) -> dict:
    """Run one point in a fresh interpreter; add its peak RSS (MiB) from wait4."""
    p = subprocess.Popen(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = p.stdout.read(), p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"point {spec} failed:\n{err}")
    res = json.loads(out.strip().splitlines()[-1])
    res["peak_mb"] = usage.ru_maxrss / 1024.0  # Linux: KiB
    return res


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(json.loads(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats inside each child (default 3)")
    ap.add_argument("--max-years", type=float, default=1000)
    ap.add_argument("--max-population", type=float, default=1e6)
    ap.add_argument("--policy", default="backorder", choices=C.POLICIES)
    args = ap.parse_args()

    C.header(
        f"scaling (policy {args.policy}; one replication per point, each in a fresh process)", args.repeats
    )
    years = [y for y in (1, 10, 100, 1000) if y <= args.max_years]
    rows = []
    for closed in (False, True):
        for y in years:
            r = point(
                {"horizon": 365.0 * y, "policy": args.policy, "closed": closed, "repeats": args.repeats}
            )
            rows.append(
                [
                    "closed" if closed else "open (+0.5/day)",
                    y,
                    int(r["customers_end"]),
                    int(r["events"]),
                    r["seconds"],
                    C.si(r["events"] / r["seconds"], "ev/s"),
                    r["peak_mb"],
                    r["run_peak_mb"] - r["base_mb"],
                ]
            )
            C.flush()
    C.table(
        [
            "population",
            "years",
            "customers",
            "events",
            "best s",
            "events/s",
            "process peak RSS MiB",
            "run MiB",
        ],
        rows,
        title="-- against the horizon --",
    )
    horizon_rows = rows

    pops = [p for p in (1e2, 1e3, 1e4, 1e5, 1e6) if p <= args.max_population]
    rows = []
    for n in pops:
        r = point(
            {
                "horizon": 365.0,
                "policy": args.policy,
                "population": n,
                "closed": True,
                "repeats": args.repeats,
            }
        )
        rows.append(
            [
                int(n),
                int(r["events"]),
                r["seconds"],
                C.si(r["events"] / r["seconds"], "ev/s"),
                r["peak_mb"],
                r["run_peak_mb"] - r["base_mb"],
                1e6 * r["seconds"] / n,
            ]
        )
        C.flush()
    C.table(
        ["customers", "events", "best s", "events/s", "process peak RSS MiB", "run MiB", "us per customer"],
        rows,
        title="-- against the population (1 year, closed population, 6 purchases a day in total) --",
    )

    # Conclusions from the numbers.
    closed = [r for r in horizon_rows if r[0] == "closed"]
    if len(closed) >= 2:
        growth = closed[-1][7] - closed[0][7]
        print(
            f"Horizon, closed population: run memory {closed[0][7]:.1f} -> {closed[-1][7]:.1f} MiB from "
            f"{closed[0][1]} to {closed[-1][1]} years ({growth:+.1f} MiB for "
            f"{closed[-1][3] / closed[0][3]:.0f}x the events): flat"
            if abs(growth) < 1
            else f"Horizon, closed population: run memory grows by {growth:.1f} MiB: NOT flat"
        )
    opened = [r for r in horizon_rows if r[0] != "closed"]
    if len(opened) >= 2:
        dn = opened[-1][2] - opened[0][2]
        dm = opened[-1][7] - opened[0][7]
        print(
            f"Horizon, open population: +{dm:.1f} MiB for +{dn:,} customers "
            f"({1024 * 1024 * dm / max(dn, 1):.0f} bytes per added customer): growth follows the population."
        )
    if len(opened) >= 2 and len(closed) >= 2:
        print(
            f"Events from {opened[0][1]} to {opened[-1][1]} years: "
            f"x{opened[-1][3] / opened[0][3]:,.0f} with new customers, "
            f"x{closed[-1][3] / closed[0][3]:,.0f} without (events follow the purchase occasions: each customer "
            "buys on its own clock at its loyalty; churned customers and prospects who stayed away have none)."
        )
    big = [r for r in rows if r[0] >= 1e4]  # below that, the run fits in a few already-mapped pages
    if big:
        per = [r[5] * 2**20 / r[0] for r in big]
        print(
            "Population: run memory per customer "
            + ", ".join(f"{p:.0f} B at {r[0]:,}" for p, r in zip(per, big, strict=True))
            + (
                ": linear (48 B per customer: a 32-byte record (stream, loyalty, counts, flags, segment) and "
                "up to 16 bytes of purchase clock (key, id, position in the heap))"
                if max(per) < 60
                else ""
            )
        )


if __name__ == "__main__":
    main()
