"""The main job, end to end on a simulated board: up, push examples/isp.json, frames before/after.

    campro-edge-sim demo            (or: python -m campro_edge_sim demo)

writes out/before.png, out/after.png (what the camera outputs with the stock IQ file and with
CamPro's) and out/push-report.json. The board stays up with --keep (then `campro-edge status`,
`campro-edge capture -o x.png`, `campro-edge rollback --stock` work without options).
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from campro_edge.ops.board_setup import add_board
from campro_edge.ops.capture import capture_frame
from campro_edge.ops.push import PushOptions, push_iq
from campro_edge.ops.rollback import rollback
from campro_edge.ops.status import board_status
from campro_edge.params import load_params
from campro_edge_sim import control
from campro_edge_sim.spec import BoardPaths, SimSpec

BOARD = "sim-rv1126"


def run_demo(
    params: Path, out: Path, name: str = "sim", port: int = 2222, keep: bool = False
) -> int:
    console = Console(stderr=True)
    load_params(params)  # a bad file fails before anything starts
    paths = BoardPaths(name)
    started = False
    if control.is_running(paths):
        spec = paths.read_spec()
        console.print(f"using the running simulated board {name!r} on port {spec.port}")
    else:
        spec = SimSpec(name=name, port=port)
        console.print(f"starting simulated board {name!r} on 127.0.0.1:{port} ...")
        control.up(spec)
        started = True
    host = f"127.0.0.1:{spec.port}"
    try:
        console.print(add_board(BOARD, host, trust_new_host_key=True))
        if board_status(BOARD, host).origin != "stock":
            console.print("the board carries an earlier push: back to the stock IQ first")
            rollback(BOARD, host, to_stock=True)
        out.mkdir(parents=True, exist_ok=True)
        before, what = capture_frame(BOARD, host, out / "before.png")
        console.print(f"captured {before} ({what}, stock IQ)")
        rep = push_iq(PushOptions(params=params, board=BOARD, host=host), console)
        after, what = capture_frame(BOARD, host, out / "after.png")
        console.print(f"captured {after} ({what}, CamPro IQ)")
        report = {
            "board": rep.board,
            "target": rep.target,
            "iq_path": rep.iq_path,
            "install_mode": rep.mode,
            "sha256_before": rep.sha_before,
            "sha256_after": rep.sha_after,
            "changes": rep.changes,
            "colour_check": None
            if rep.colour is None
            else {"mean_abs_err": rep.colour.mean_abs_err, "illuminant": rep.colour.illuminant},
            "steps_s": {n: round(t, 3) for n, t in rep.timings},
            "total_s": round(sum(t for _, t in rep.timings), 3),
            "frames": {"before": str(before), "after": str(after)},
        }
        (out / "push-report.json").write_text(json.dumps(report, indent=2))
        print(f"before: {before}\nafter:  {after}\nreport: {out / 'push-report.json'}")
    finally:
        if started and not keep:
            control.down(paths)
    return 0
