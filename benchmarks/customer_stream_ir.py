"""Instructions per real purchase occasion of each customer-stream design (callgrind).

Wall time on a shared 2-core machine is noisy; instruction counts are not. Runs
`customer_stream only=DESIGN scenario=S years=Y reps=N` under `valgrind --tool=callgrind` (no cache
simulation) and prints instructions per real occasion, set-up included, side by side. Instruction
counts do not show cache misses: at store scale (100,000 customers) read the wall times of
`customer_stream part=timing` too.

    python benchmarks/customer_stream_ir.py [--designs superposed,nrm-op,...] [--cases camera:100:1,...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile

import _common as C

BIN = C.ROOT / "build" / "bench" / "benchmarks" / "customer_stream" / "customer_stream"
DESIGNS = "superposed,dense,dense+max,cr2,cr2^1/4,nrm-op,nrm-thin,nrm-pool,nrm-bucket,nrm-cal,nrm-cls2,sumtree"
CASES = "camera:1:20,camera:10:4,camera:100:1,decay:1:20,decay:10:4,decay:100:1,seasonal:100:1,store:1:1"


def instructions(design: str, scenario: str, years: str, reps: str) -> tuple[int, int]:
    """(instructions, real occasions) of one run under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out"]
        cmd += [str(BIN), f"only={design}", f"scenario={scenario}", f"years={years}", f"reps={reps}"]
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    ir = int(re.search(r"I\s+refs:\s+([\d,]+)", p.stderr).group(1).replace(",", ""))
    occ = int(re.search(r"occasions (\d+)", p.stdout).group(1))
    return ir, occ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", default=DESIGNS, help=f"comma-separated (default {DESIGNS})")
    ap.add_argument("--cases", default=CASES, help=f"scenario:years:reps, comma-separated (default {CASES})")
    args = ap.parse_args()
    if not BIN.exists():
        raise SystemExit(f"build it first: cmake --build build/bench --target customer_stream ({BIN})")
    designs = args.designs.split(",")
    print("== customer_stream: instructions per real occasion (callgrind, set-up included) ==")
    rows = []
    for case in args.cases.split(","):
        scenario, years, reps = case.split(":")
        row: list[object] = [scenario, float(years)]
        for d in designs:
            ir, occ = instructions(d, scenario, years, reps)
            row.append(round(ir / occ))
        rows.append(row)
        C.flush()
    C.table(["scenario", "years", *designs], rows)


if __name__ == "__main__":
    main()
