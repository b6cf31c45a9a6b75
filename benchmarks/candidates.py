"""Purchase candidates per real purchase occasion (issue 19's measure), read from the engine.

The engine counts both: `purchase_candidates` (draws of the occasion stream, thinned ones included)
and `purchase_occasions` (real occasions: candidates that were not thinned away, and returns of
delayed customers). With customers who remember, each customer has its own clock and every
candidate is real; textbook customers and the anonymous stream are thinned only by a season.
Prints, per scenario, policy and horizon, candidates per occasion and handled events per occasion.

    python benchmarks/candidates.py [--years 1,10,100] [--reps 20,10,3]
"""

from __future__ import annotations

import argparse
import json

import _common as C

BUNDLED = ("camera_lens", "slow_supplier", "cash_flow", "disrupted_supplier", "camera_shop")
FILES = [
    *(C.ROOT / "scenarios" / f"{n}.json" for n in BUNDLED),
    C.ROOT / "benchmarks" / "decaying_loyalty.json",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", default="1,10,100", help="horizons in years of 365 days (default 1,10,100)")
    ap.add_argument("--reps", default="20,10,3", help="replications per horizon (default 20,10,3)")
    args = ap.parse_args()
    years = [float(y) for y in args.years.split(",")]
    reps = [int(r) for r in args.reps.split(",")]

    import stocklab as sl
    from stocklab import _core

    C.header("purchase candidates per real occasion", repeats=None)
    i_ev, i_cand, i_occ = (C.metric_index(m) for m in ("events", "purchase_candidates", "purchase_occasions"))
    rows = []
    for path in FILES:
        doc = json.loads(path.read_text())
        for y, r in zip(years, reps, strict=True):
            sc = sl.load_scenario(path).with_overrides({**C.QUIET, "run.horizon_days": 365.0 * y})
            for pol in doc["policies"]:
                out = _core.run_replications(sc.parsed(pol), 1, 0, r, 1)
                events, cand, occ = (float(out[:, i].mean()) for i in (i_ev, i_cand, i_occ))
                rows.append([doc["name"], pol, y, r, int(occ), int(cand), cand / occ, events / occ])
    C.table(["scenario", "policy", "years", "reps", "occasions/rep", "candidates/rep", "cand/occ", "events/occ"],
            rows)
    print("cand/occ: candidates drawn per real occasion; issue 19 asks for at most about 1.5.")


if __name__ == "__main__":
    main()
