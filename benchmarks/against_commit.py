"""Is the engine still as fast as at an earlier commit? Side by side, in one run.

Builds `engine_run` (the engine with no Python) twice: at a base commit (in a temporary git worktree
under build/against/) and from the working tree. Then runs the same cases through both, interleaved
round by round, and prints per case the best wall time of each, their ratio, and whether every
summary metric the two share has the same bits (bit for bit the same results; metrics added since
the base are counted as new). With --callgrind it also counts instructions (valgrind), which do not
depend on what else the machine is doing.

Cases: the camera lens under both policies, one year (many replications: start-up and each
customer's first purchases weigh most) and 100 years (the event loop in its steady state); the
textbook model (anonymous Poisson stream, behaviour off) over 100 years.

    python benchmarks/against_commit.py --base pre-components [--repeats 5] [--callgrind]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _common as C

AGAINST = C.ROOT / "build" / "against"


def cmake_build(src: Path, build: Path) -> Path:
    """Configure and build engine_run from source tree `src` into `build`; returns the binary."""
    if not (build / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "-S", str(src), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                        "-DSTOCKLAB_BUILD_BENCHMARKS=ON", f"-DPython_EXECUTABLE={sys.executable}"],
                       check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "--target", "engine_run", "-j2"], check=True,
                   capture_output=True)
    return build / "benchmarks" / "engine_run" / "engine_run"


def base_binary(rev: str) -> tuple[Path, str]:
    """engine_run built at `rev` (a worktree checked out once per commit)."""
    sha = subprocess.run(["git", "-C", str(C.ROOT), "rev-parse", "--short", rev], check=True,
                         capture_output=True, text=True).stdout.strip()
    tree = AGAINST / sha
    if not tree.exists():
        subprocess.run(["git", "-C", str(C.ROOT), "worktree", "add", "--detach", str(tree), sha], check=True,
                       capture_output=True)
    return cmake_build(tree, tree / "build"), sha


def cases(tmp: Path) -> list[tuple[str, Path, list[str], int]]:
    """(label, scenario file, engine_run arguments, replications timed); callgrind counts one
    replication of the 100-year cases and 200 of the one-year ones (the ratios are what matter)."""
    textbook = tmp / "textbook_poisson.json"
    textbook.write_text(C.textbook_poisson().to_json())
    lens = C.SCENARIO
    return [
        ("camera lens, backorder, 1 year", lens, ["policy=backorder", "horizon=365"], 1000),
        ("camera lens, out of stock, 1 year", lens, ["policy=out_of_stock", "horizon=365"], 1000),
        ("camera lens, backorder, 100 years", lens, ["policy=backorder", "horizon=36500"], 5),
        ("camera lens, out of stock, 100 years", lens, ["policy=out_of_stock", "horizon=36500"], 5),
        ("textbook Poisson, backorder, 100 years", textbook, ["policy=backorder", "horizon=36500"], 20),
        ("textbook Poisson, lost sales, 100 years", textbook, ["policy=out_of_stock", "horizon=36500"], 20),
    ]


def run(binary: Path, scenario: Path, args: list[str]) -> dict:
    out = subprocess.run([str(binary), str(scenario), *args, "repeats=1"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def metric_bits(binary: Path, scenario: Path, args: list[str]) -> dict[tuple[str, str], str]:
    """Every metric of every replication as (replication, name) -> bit pattern (engine_run `dump`)."""
    out = subprocess.run([str(binary), str(scenario), *args, "repeats=1", "dump"], check=True, capture_output=True,
                         text=True).stdout
    return {(f[1], f[2]): f[3] for f in (ln.split() for ln in out.splitlines() if ln.startswith("rep "))}


def same_results(base: Path, head: Path, scenario: Path, args: list[str]) -> str:
    """Whether both builds give the same bits for every metric they share (metrics added since the base
    are new columns, not changed results): "yes" with the count shared, or the first that differs."""
    a, b = metric_bits(base, scenario, args), metric_bits(head, scenario, args)
    shared = sorted(set(a) & set(b))
    names = {name for _, name in shared}
    differing = [name for rep, name in shared if a[rep, name] != b[rep, name]]
    if differing:
        return f"NO ({differing[0]})"
    return f"yes ({len(names)} shared, {len({n for _, n in b} - names)} new)"


def instructions(binary: Path, scenario: Path, args: list[str]) -> int:
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", str(binary),
                        str(scenario), *args, "repeats=1"], check=True, capture_output=True, text=True)
    line = next(ln for ln in r.stderr.splitlines() if "Collected" in ln)
    return int(line.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="the commit to compare with (a sha, tag or branch)")
    ap.add_argument("--repeats", type=int, default=5, help="interleaved rounds; each keeps its best (default 5)")
    ap.add_argument("--callgrind", action="store_true", help="also count instructions with valgrind")
    args = ap.parse_args()
    C.header(f"engine against commit {args.base}", args.repeats)
    base, sha = base_binary(args.base)
    head = cmake_build(C.ROOT, C.ROOT / "build" / "bench")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, scenario, extra, reps in cases(Path(tmp)):
            best = {"base": float("inf"), "head": float("inf")}
            for _ in range(args.repeats):
                for name, binary in (("base", base), ("head", head)):
                    r = run(binary, scenario, [*extra, f"reps={reps}"])
                    best[name] = min(best[name], r["best_seconds"] / reps)
            checked = [*extra, "reps=20" if "horizon=365" in extra else "reps=1"]
            row = [label, 1e3 * best["base"], 1e3 * best["head"], best["head"] / best["base"],
                   same_results(base, head, scenario, checked)]
            if args.callgrind and shutil.which("valgrind"):
                counted = [*extra, "reps=200" if "horizon=365" in extra else "reps=1"]
                ib, ih = instructions(base, scenario, counted), instructions(head, scenario, counted)
                row += [f"{ib / 1e6:,.1f} M", f"{ih / 1e6:,.1f} M", ih / ib]
            rows.append(row)
            C.flush()
    headers = ["case", f"{sha} ms/rep", "head ms/rep", "time ratio", "same results"]
    if args.callgrind:
        headers += [f"{sha} instr", "head instr", "instr ratio"]
    C.table(headers, rows)
    print("Ratios below 1 mean the working tree is faster. Wall times are the best of the rounds;")
    print("instruction counts (callgrind) are exact and repeatable, whatever the machine's load.")


if __name__ == "__main__":
    main()
