"""Arguments every board command shares (target, board description, host-key trust)."""

from __future__ import annotations

import argparse
from pathlib import Path

from campro_edge.board.config import available_boards, default_board_name


def add_target_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host",
        metavar="[USER@]HOST[:PORT]",
        help="the board (default: $BOARD_HOST, else the board description's host: "
        "127.0.0.1:2222 for the simulated board)",
    )
    p.add_argument(
        "--board",
        metavar="NAME",
        help=f"board description ({', '.join(available_boards()) or 'board_configs/'}"
        " or a .toml path); default: $BOARD, else sim-rv1126 without --host and "
        "rv1126 with it",
    )
    p.add_argument(
        "--trust-new-host-key",
        action="store_true",
        help="accept and remember the host key of a board seen for the first time "
        "(a changed key is always refused)",
    )
    p.add_argument(
        "--identity",
        type=Path,
        metavar="KEY",
        help="private key file (default: the key `board add` installed, then the agent)",
    )


def board_name(args: argparse.Namespace) -> str:
    return args.board or default_board_name(bool(args.host))
