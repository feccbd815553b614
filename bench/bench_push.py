"""Time a complete push-iq (probe, pull, convert, upload, restart, verify) and its steps.

    python bench/bench_push.py [--runs 3] [--host H --board rv1126]

Without --host it starts its own simulated board (in a temporary directory) and uses a
temporary campro-edge home. Each run starts from the stock IQ file (rollback --stock between
runs, not timed). Prints the per-step breakdown of every run and the median.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--params", type=Path, default=REPO / "examples" / "isp.json")
    ap.add_argument("--host")
    ap.add_argument("--board", default="sim-rv1126")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-push-"))
    if not args.host:
        os.environ["CAMPRO_EDGE_HOME"] = str(tmp / "edge-home")
    from campro_edge.ops.push import PushOptions, push_iq
    from campro_edge.ops.rollback import rollback
    from campro_edge_sim.testing import enroll, sim_board

    def bench(host: str) -> list[list[tuple[str, float]]]:
        runs = []
        for i in range(args.runs):
            if i:
                rollback(args.board, host, to_stock=True)
            t0 = time.perf_counter()
            rep = push_iq(PushOptions(params=args.params, board=args.board, host=host))
            wall = time.perf_counter() - t0
            runs.append([*rep.timings, ("(wall clock, whole push)", wall)])
        return runs

    from campro_edge_sim.testing import missing_prerequisites

    why = None if args.host else missing_prerequisites()
    if why:
        print(f"bench_push: skipped: {why}")
        return 0
    if args.host:
        runs = bench(args.host)
        where = args.host
    else:
        with sim_board(tmp / "sim", name="bench") as b:
            enroll(b)
            runs = bench(b.host)
            where = f"simulated board {b.host} ({b.spec.board})"
    print(
        f"push-iq benchmark: {args.params.name} -> {where}; {args.runs} runs; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    )
    names = [n for n, _ in runs[0]]
    head = f"{'step':<30}" + "".join(f"{'run ' + str(i + 1):>9}" for i in range(len(runs)))
    print(head + f"{'median':>9}")
    for k, name in enumerate(names):
        vals = [r[k][1] for r in runs if k < len(r)]
        print(
            f"{name:<30}" + "".join(f"{v:9.3f}" for v in vals) + f"{statistics.median(vals):9.3f}"
        )
    sums = [sum(t for n, t in r if not n.startswith("(")) for r in runs]
    print(
        f"{'sum of steps':<30}"
        + "".join(f"{v:9.3f}" for v in sums)
        + f"{statistics.median(sums):9.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
