"""`campro-edge board`: board descriptions and first contact (install an SSH key)."""

from __future__ import annotations

import argparse

from rich.console import Console

from campro_edge.board.config import available_boards, load_board
from campro_edge.commands._board_args import add_target_arguments, board_name
from campro_edge.errors import InputError
from campro_edge.ops.board_setup import add_board, probe_board

NAME = "board"
HELP = "install an SSH key on a board, probe it, list board descriptions"
DESCRIPTION = """\
board add HOST      first contact: check the host key (--trust-new-host-key to accept a new one),
                    log in once with the stock password (root/rockchip, or --password) and
                    install this machine's key; afterwards only keys are used.
board probe [HOST]  show what the board is (architecture, compatible, sensor, mounts, ISP owner)
                    and whether it matches the description.
board list          the board descriptions known to this installation.
"""
EPILOG = """\
examples:
  campro-edge board add 127.0.0.1:2222 --trust-new-host-key     # the simulated board
  campro-edge board add 192.168.1.100 --board rv1126 --trust-new-host-key
  campro-edge board probe --host 192.168.1.100
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["add", "probe", "list"])
    p.add_argument("target", nargs="?", metavar="HOST", help="same as --host")
    add_target_arguments(p)
    p.add_argument("--password", help="password for `add` (default: the description's stock one)")


def run(args: argparse.Namespace) -> int:
    out = Console()
    if args.action == "list":
        for name in available_boards():
            cfg = load_board(name)
            out.print(
                f"{name:14} {cfg.soc:8} {cfg.arch:8} npu={cfg.npu_target:8} {cfg.description}"
            )
        return 0
    if args.target and args.host and args.target != args.host:
        raise InputError("give the board once: HOST or --host")
    args.host = args.target or args.host
    name = board_name(args)
    if args.action == "add":
        msg = add_board(
            name, args.host, trust_new_host_key=args.trust_new_host_key, password=args.password
        )
        out.print(msg)
        return 0
    info, verdict = probe_board(
        name, args.host, trust_new_host_key=args.trust_new_host_key, key_file=args.identity
    )
    Console().print_json(info.model_dump_json())
    out.print(verdict)
    return 0
