"""Replications per second for the camera-lens year: C++ threads and a dask.distributed cluster.

Runs stocklab.compare() on the camera-lens scenario (both policies, one year each) with
  jobs=1                 one C++ thread
  jobs=<all cores>       C++ threads with the GIL released
  dask LocalCluster      n_workers=2, threads_per_worker=1, through executor=client.get_executor()
and checks that every path gives exactly the same replications (bit-identical metrics), as the design
promises (same scenario + seed -> identical results whatever the threads, workers or executor).
Also times the raw engine call (_core.run_replications) to show what compare() adds, and prints the
Python layer's share of compare(jobs=1): (compare - engine call) / compare, same replications.

Replications/s counts one replication of one policy as one replication. The dask cluster's start-up is
timed separately and excluded; one warm-up compare runs on it first (workers import stocklab). The
paths run in interleaved rounds (each once per round) and each keeps its best round.

    python benchmarks/replications.py [--replications 1000] [--repeats 3] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import time

import _common as C
import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replications", type=int, default=1000, help="per policy (default 1000)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats; the best is kept (default 3)")
    ap.add_argument("--no-dask", action="store_true", help="skip the dask.distributed runs")
    args = ap.parse_args()
    os.environ.setdefault("STOCKLAB_NO_PROGRESS", "1")

    import stocklab as sl
    from stocklab import _core

    cores = _core.hardware_jobs()
    C.header(
        f"replications/s: camera-lens year, {args.replications} replications x {len(C.POLICIES)} policies",
        args.repeats,
    )
    sc = C.camera_lens()  # compare() itself switches snapshots, ledger rows and the event log off
    n = args.replications
    total = n * len(C.POLICIES)

    def run(**kw):
        return sl.compare(sc, replications=n, seed=42, progress=False, **kw)

    paths: list[tuple[str, object]] = [
        (
            "_core.run_replications, 1 thread",
            lambda: [_core.run_replications(sc.parsed(p), 42, 0, n, 1) for p in C.POLICIES],
        ),
        ("compare(jobs=1)", lambda: run(jobs=1)),
        (f"compare(jobs={cores}) (all cores)", lambda: run(jobs=cores)),
    ]
    best: dict[str, float] = {}
    results: dict[str, object] = {}

    def timed_rounds() -> None:
        # Interleaved rounds (every path once per round), best of each: all paths see the same load.
        for _ in range(args.repeats):
            for label, fn in paths:
                t0 = time.perf_counter()
                out = fn()
                dt = time.perf_counter() - t0
                if dt < best.get(label, float("inf")):
                    best[label] = dt
                results.setdefault(label, out)

    startup = float("nan")
    dask_ok = False
    if not args.no_dask:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            print(
                "dask.distributed is not installed: pip install 'dask[distributed]' (skipping the cluster)\n"
            )
        else:
            dask_ok = True
    if dask_ok:
        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            startup = time.perf_counter() - t0
            ex = client.get_executor()
            sl.compare(sc, replications=8, seed=1, executor=ex, progress=False)  # warm-up: workers import
            paths.append(("compare(executor=dask, 2 workers x 1 thread)", lambda: run(executor=ex)))
            timed_rounds()
    else:
        timed_rounds()
    rows = [[label, best[label], total / best[label]] for label, _ in paths]
    results.pop(paths[0][0])
    base = rows[1][2]
    C.table(
        ["path", "best s", "replications/s", "speed-up vs compare(jobs=1)"],
        [[r[0], r[1], r[2], f"{r[2] / base:.2f}x"] for r in rows],
    )
    t_engine, t_compare = best[paths[0][0]], best["compare(jobs=1)"]
    print(
        f"Python's share of compare(jobs=1): {t_compare - t_engine:.3f} s of {t_compare:.3f} s "
        f"({(t_compare - t_engine) / t_compare:.1%}) is outside the engine call (the same replications on "
        "one thread: parsing, result tables, metadata)"
    )
    if startup == startup:
        print(f"dask LocalCluster start-up (excluded above): {startup:.2f} s")

    ref_label = "compare(jobs=1)"
    ref = results[ref_label].replications
    metrics = [m for m in sl.METRICS if m in ref.columns]
    for label, exp in results.items():
        if label == ref_label:
            continue
        other = exp.replications
        same_rows = ref[["policy", "replication"]].equals(other[["policy", "replication"]])
        a, b = ref[metrics].to_numpy(), other[metrics].to_numpy()
        identical = (
            same_rows and a.shape == b.shape and bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))
        )
        print(
            f"{label}: results {'bit-identical to' if identical else 'DIFFER from'} {ref_label} "
            f"({a.shape[0]} rows x {a.shape[1]} metrics)"
        )


if __name__ == "__main__":
    main()
