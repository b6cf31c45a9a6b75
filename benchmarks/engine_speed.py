"""Engine speed: events per second of one replication over a 100-year horizon, single thread.

Models: the camera-lens scenario (customers with loyalty, (s,S), both shortage policies) and the
textbook model (the same item with an anonymous Poisson stream, behaviour off). Snapshots, the ledger
and the event log are off. `events` is the summary metric counting handled calendar events
(purchase occasions, each from a customer's own clock when customers remember (behaviour on), plus
shipments, payments, daily accruals, cancellations, delayed returns, new customers).

Two paths are timed:
  engine   stocklab._core.run_replications(..., jobs=1): the C++ loop with the GIL released
  simulate stocklab.simulate(): the public one-run API (adds building the Python result)

    python benchmarks/engine_speed.py [--years 100] [--repeats 3] [--reps 3]
"""

from __future__ import annotations

import argparse

import _common as C


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=float, default=100.0, help="horizon in years of 365 days (default 100)")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats; the best is kept (default 3)")
    ap.add_argument(
        "--reps",
        type=int,
        default=3,
        help="replications per timed engine run (replications 0..reps-1, seed 1; default 3)",
    )
    args = ap.parse_args()

    import stocklab as sl
    from stocklab import _core

    C.header(f"engine speed: {args.years:g}-year horizon, single thread", args.repeats)
    horizon = 365.0 * args.years
    over = {**C.QUIET, "run.horizon_days": horizon}
    models = [("camera_lens", C.camera_lens(over)), ("textbook_poisson", C.textbook_poisson(over))]
    i_ev, i_dem = C.metric_index("events"), C.metric_index("demand_units")

    rows = []
    for name, sc in models:
        for pol in C.POLICIES:
            parsed = sc.parsed(pol)
            t, out, _ = C.best_of(
                lambda p=parsed: _core.run_replications(p, 1, 0, args.reps, 1), args.repeats
            )
            events = float(out[:, i_ev].sum())
            demand = float(out[:, i_dem].sum())
            t_sim, res, _ = C.best_of(
                lambda sc=sc, pol=pol: sl.simulate(sc, seed=1, policy=pol), args.repeats
            )
            ev_sim = float(res.summary["events"])
            rows.append(
                [
                    name,
                    pol,
                    int(events / args.reps),
                    demand / events,
                    t / args.reps,
                    C.si(events / t, "ev/s"),
                    1e9 * t / events,
                    t_sim,
                    C.si(ev_sim / t_sim, "ev/s"),
                ]
            )
    C.table(
        [
            "model",
            "policy",
            "events/rep",
            "occasions/event",
            "engine s/rep",
            "engine rate",
            "ns/event",
            "simulate() s",
            "simulate() rate",
        ],
        rows,
    )
    print("occasions/event: purchase occasions (demand_units, order size 1) per handled event; the rest are")
    print("supply and money events, new customers and delayed returns (candidates thinned away: only with")
    print("behaviour off and a season; see candidates.py).")


if __name__ == "__main__":
    main()
