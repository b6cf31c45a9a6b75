"""The one-item camera lens through Python, as users run it, against the package at an earlier commit.

against_commit.py compares the engine alone (`engine_run`, an executable). Users reach the engine
through the Python module, a shared library, which the compiler builds differently (what it may
inline across files, how it calls). This script builds the package at a base commit (pip --target
into build/against/<sha>/pkg, from the worktree against_commit.py uses) and times, against the
working tree's package installed in .venv (run scripts/dev_install.sh first),
`_core.run_replications(..., jobs=1)` for the camera lens: one year (1,000 replications) and 100
years (3), both policies. Rounds alternate base and head, each in a fresh process; each keeps its
best round; prints the times side by side and their ratio.

    python benchmarks/against_commit_python.py --base f69ca21 [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import _common as C
from against_commit import AGAINST, base_binary

CASES = [("camera lens, backorder, 1 year", "backorder", 365.0, 1000),
         ("camera lens, out of stock, 1 year", "out_of_stock", 365.0, 1000),
         ("camera lens, backorder, 100 years", "backorder", 36500.0, 3),
         ("camera lens, out of stock, 100 years", "out_of_stock", 36500.0, 3)]

# One round in a fresh process: seconds a replication for every case (the package on sys.path).
CHILD = """
import json, sys, time
import stocklab as sl
from stocklab import _core
quiet = {"run.snapshot_interval_days": 0, "run.record_ledger": False, "run.record_events": False}
out = {}
for label, policy, days, reps in json.loads(sys.argv[2]):
    parsed = sl.load_scenario(sys.argv[1]).with_overrides({**quiet, "run.horizon_days": days}).parsed(policy)
    t0 = time.perf_counter()
    _core.run_replications(parsed, 1, 0, reps, 1)
    out[label] = (time.perf_counter() - t0) / reps
print(json.dumps(out))
"""


def base_package(rev: str) -> tuple[Path, str]:
    """The package built at `rev` into build/against/<sha>/pkg (once)."""
    _, sha = base_binary(rev)  # the worktree (and its engine_run) at that commit
    pkg = AGAINST / sha / "pkg"
    if not (pkg / "stocklab").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
                        "--target", str(pkg), str(AGAINST / sha)], check=True, capture_output=True)
    return pkg, sha


def one_round(pythonpath: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run([sys.executable, "-c", CHILD, str(C.SCENARIO), json.dumps(CASES)], check=True,
                         capture_output=True, text=True, env=env, cwd="/")
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="the commit to compare with (a sha, tag or branch)")
    ap.add_argument("--repeats", type=int, default=5, help="interleaved rounds; each keeps its best (default 5)")
    args = ap.parse_args()
    C.header(f"the camera lens through Python, against the package at {args.base}", args.repeats)
    pkg, sha = base_package(args.base)
    best = {side: {label: float("inf") for label, *_ in CASES} for side in ("base", "head")}
    for _ in range(args.repeats):
        for side, path in (("base", pkg), ("head", None)):
            for label, seconds in one_round(path).items():
                best[side][label] = min(best[side][label], seconds)
    rows = [[label, 1e3 * best["base"][label], 1e3 * best["head"][label], best["head"][label] / best["base"][label]]
            for label, *_ in CASES]
    C.table(["case", f"{sha} ms/rep", "head ms/rep", "time ratio"], rows)
    print("Ratios below 1 mean the working tree's package is faster (head: the package installed in .venv).")


if __name__ == "__main__":
    main()
