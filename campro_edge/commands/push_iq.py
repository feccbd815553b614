"""`campro-edge push-iq`: convert CamPro parameters and install them on a board, safely."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from campro_edge.commands._board_args import add_target_arguments, board_name
from campro_edge.ops.push import PushOptions, push_iq

NAME = "push-iq"
HELP = "convert isp.json and install it on the board's ISP (simulated board by default)"
DESCRIPTION = """\
Install CamPro's CCM and gamma on a board's ISP.

Steps: probe the board (architecture, compatible string, sensor, mounts, ISP service) and refuse
one that is not what --board describes; lock it; pull the active IQ file and the pristine stock
copy (kept on the board and on this machine, never overwritten); patch the stock file and
validate it with the rkaiq parser rules; capture a reference frame; upload to a temporary name
and verify its sha256 on the board; back up the active file; switch atomically (in place if the
IQ directory is writable, else an overlay directory on /userdata bind-mounted over it, renewed at
boot by a hook); restart the ISP service; check that it runs, that a frame can be captured and
that its colours match the hardware model's prediction; commit.

On any failure the previous IQ file is restored and the service restarted. A power cut during
the push leaves the switch unconfirmed, and the board's boot hook restores the previous file.
"""
EPILOG = """\
examples:
  campro-edge-sim up && campro-edge board add 127.0.0.1:2222 --trust-new-host-key
  campro-edge push-iq examples/isp.json                    # simulated board (127.0.0.1:2222)
  campro-edge push-iq examples/isp.json --dry-run          # show what would change
  campro-edge push-iq isp.json --host 192.168.1.100        # a real RV1126 (board rv1126)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", type=Path, help="isp.json (or a CamPro .pt checkpoint)")
    add_target_arguments(p)
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--ccm-mode", choices=["compose", "replace"], default="compose")
    p.add_argument(
        "--no-colour-check",
        action="store_true",
        help="health check without comparing colours with the hardware model",
    )


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    opts = PushOptions(
        params=args.params,
        board=board_name(args),
        host=args.host,
        dry_run=args.dry_run,
        trust_new_host_key=args.trust_new_host_key,
        key_file=args.identity,
        ccm_mode=args.ccm_mode,
        verify_colours=not args.no_colour_check,
    )
    console.print(f"push-iq {args.params} -> board [bold]{opts.board}[/]")
    rep = push_iq(opts, console)
    out = Console()
    if rep.dry_run:
        out.print(f"[bold]dry run[/]: {rep.target} ({rep.board}) would get a new {rep.iq_path}")
        out.print(f"  install: {rep.mode}; sha256 {rep.sha_before[:16]} -> {rep.sha_after[:16]}")
        for c in rep.changes:
            out.print(f"  - {c}")
        out.print("steps a push would take:")
        for step in rep.plan:
            out.print(f"  - {step}")
        out.print("nothing was changed on the board")
        return 0
    if rep.unchanged:
        out.print(f"{rep.target}: {rep.iq_path} already holds these parameters; nothing to do")
        return 0
    total = sum(t for _, t in rep.timings)
    out.print(
        f"[green]pushed[/] {args.params} to {rep.target}: {rep.iq_path} "
        f"(sha256 {rep.sha_after[:16]}, {rep.mode}) in {total:.1f}s"
    )
    if rep.colour:
        out.print(
            f"  colour check: mean error {rep.colour.mean_abs_err:.2f}/255 "
            f"(illuminant {rep.colour.illuminant})"
        )
    return 0
