"""`campro-edge console`: the board's serial console (pyserial, 1500000 baud by default)."""

from __future__ import annotations

import argparse
import sys

from campro_edge.board.config import default_board_name, load_board
from campro_edge.board.console import SerialConsole

NAME = "console"
HELP = "use the board's serial console: log in, run a command, boot log, bring networking up"
DESCRIPTION = """\
Talk to the board over its debug UART when the network is not up (RV1126: UART2 / ttyFIQ0,
1500000 8N1, no flow control; many cheap USB adapters cannot do 1.5 Mbaud).
Without an action it logs in and prints the prompt's environment (uname -a).
"""
EPILOG = """\
examples:
  campro-edge console --device /dev/ttyUSB0 --run 'cat /proc/mounts'
  campro-edge console --net-up 192.168.1.100/24 --gateway 192.168.1.1
  campro-edge console --boot-log
  campro-edge-sim console &  campro-edge console --run 'uname -a'   # the simulated board
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--board", metavar="NAME", help="board description (default: sim-rv1126)")
    p.add_argument("--device", help="serial device (default: the description's, e.g. /dev/ttyUSB0)")
    p.add_argument("--baud", type=int, help="baud rate (default 1500000)")
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--run", metavar="CMD", help="run one command, print its output, exit with its status"
    )
    g.add_argument("--boot-log", action="store_true", help="print the kernel/boot log (dmesg)")
    g.add_argument(
        "--net-up",
        metavar="ADDR[/PREFIX]|dhcp",
        help="bring the network interface up (static address or dhcp)",
    )
    g.add_argument(
        "--watch",
        type=float,
        metavar="SECONDS",
        help="just print what the board writes (e.g. while it boots)",
    )
    p.add_argument("--gateway", help="default route for --net-up")
    p.add_argument("--timeout", type=float, default=30.0)


def run(args: argparse.Namespace) -> int:
    cfg = load_board(args.board or default_board_name(False))
    with SerialConsole(cfg.console, args.device, args.baud) as con:
        if args.watch:
            sys.stdout.write(con.read_for(args.watch))
            return 0
        con.login(timeout=args.timeout)
        if args.run:
            rc, out = con.run(args.run, timeout=args.timeout)
            print(out)
            return rc
        if args.boot_log:
            print(con.boot_log())
            return 0
        if args.net_up:
            addr = None if args.net_up == "dhcp" else args.net_up
            print(con.network_up(addr, args.gateway))
            return 0
        rc, out = con.run("uname -a", timeout=args.timeout)
        print(out)
        return rc
