"""`campro-edge status`: what IQ file the board's ISP uses and whether it is CamPro's."""

from __future__ import annotations

import argparse

from rich.console import Console

from campro_edge.commands._board_args import add_target_arguments, board_name
from campro_edge.commands._common import print_json
from campro_edge.ops.status import board_status

NAME = "status"
HELP = "show the board's active IQ file, whether it is CamPro's, and the ISP service state"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_target_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    st = board_status(
        board_name(args),
        args.host,
        trust_new_host_key=args.trust_new_host_key,
        key_file=args.identity,
    )
    if args.json:
        print_json(st)
        return 0
    out = Console()
    out.print(f"[bold]{st.target}[/] ({st.board})")
    out.print(f"  IQ file   {st.iq_path}  ({st.origin})  sha256 {st.sha256[:16]}")
    out.print(
        f"  install   {st.install_mode or 'never pushed'}"
        f"{' (overlay mounted)' if st.overlay_mounted else ''}"
        f"{'  PENDING switch' if st.pending_switch else ''}"
    )
    if st.stock_sha256:
        out.print(
            f"  stock     sha256 {st.stock_sha256[:16]}  previous "
            f"{(st.previous_sha256 or '-')[:16]}"
        )
    if st.pushed:
        out.print(f"  pushed    {st.pushed.get('params')} (ccm mode {st.pushed.get('ccm_mode')})")
    if st.ccm:
        rows = "  ".join("[" + " ".join(f"{v:7.4f}" for v in r) + "]" for r in st.ccm)
        out.print(f"  CCM ({st.ccm_illuminant})  {rows}")
    if st.gamma_y:
        g = st.gamma_y
        out.print(f"  gamma     45 knots, y[0]={g[0]} y[16]={g[16]} y[32]={g[32]} y[44]={g[44]}")
    if not st.iq_valid:
        out.print(f"  [red]IQ file would be rejected:[/] {st.iq_problem}")
    state = "[green]running[/]" if st.service_running else "[red]not running[/]"
    out.print(f"  service   {st.service} {state}")
    return 0
