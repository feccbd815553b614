"""`campro-edge capture`: one frame from the board, written as an image."""

from __future__ import annotations

import argparse
from pathlib import Path

from campro_edge.commands._board_args import add_target_arguments, board_name
from campro_edge.ops.capture import capture_frame

NAME = "capture"
HELP = "capture one frame from the board's ISP and save it as PNG"
EPILOG = """\
examples:
  campro-edge capture -o frame.png                     # simulated board
  campro-edge capture -o frame.png --host 192.168.1.100 --raw frame.nv12
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", type=Path, required=True, help="image file to write")
    p.add_argument("--raw", type=Path, help="also keep the NV12 bytes")
    add_target_arguments(p)


def run(args: argparse.Namespace) -> int:
    out, what = capture_frame(
        board_name(args),
        args.host,
        args.output,
        trust_new_host_key=args.trust_new_host_key,
        key_file=args.identity,
        raw=args.raw,
    )
    print(f"{out}: {what}")
    return 0
