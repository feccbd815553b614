"""`campro-edge rollback`: go back to the previous IQ file, or to the pristine stock one."""

from __future__ import annotations

import argparse

from rich.console import Console

from campro_edge.commands._board_args import add_target_arguments, board_name
from campro_edge.ops.rollback import rollback

NAME = "rollback"
HELP = "restore the previous IQ file (or the pristine stock one with --stock)"
DESCRIPTION = """\
Switch the board back to the IQ file that was active before the last push (running rollback
twice toggles between the two), or with --stock to the pristine copy of the board's original file
kept since the first push. The switch is checked like a push: the ISP service must restart and a
frame must be captured, otherwise the board stays on its current file.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_target_arguments(p)
    p.add_argument("--stock", action="store_true", help="back to the original (stock) IQ file")


def run(args: argparse.Namespace) -> int:
    rep = rollback(
        board_name(args),
        args.host,
        to_stock=args.stock,
        trust_new_host_key=args.trust_new_host_key,
        key_file=args.identity,
        console=Console(stderr=True),
    )
    what = "stock" if args.stock else "previous"
    Console().print(
        f"[green]rolled back[/] {rep.target}: {rep.iq_path} is the {what} file "
        f"(sha256 {rep.sha_before[:12]} -> {rep.sha_after[:12]})"
    )
    return 0
