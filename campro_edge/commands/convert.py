"""`campro-edge convert`: write CamPro's CCM and gamma into the board's own IQ file."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from campro_edge.board.config import load_board
from campro_edge.commands._common import add_board_argument, print_json
from campro_edge.fileio import read_bytes, write_atomic
from campro_edge.images import find_images, iter_rgb
from campro_edge.iq.rkaiq_xml_patch import CcmMode, Stage
from campro_edge.ops.convert import convert, describe, output_path_checks
from campro_edge.params import load_params

NAME = "convert"
HELP = "turn isp.json (or CamPro's default.pt) into the board's IQ file"
DESCRIPTION = """\
Write CamPro's CCM and gamma curve into a copy of the board's own stock IQ file.

The stock file must be the one the board's rkaiq library ships with (its parser version and
checksum must match the library), so the tool only changes values: every CCM profile, the three
gamma curves, and the enables of stages that would alter colour afterwards. Every other byte is
kept. The CCM is rounded to the chip's 1/128 register grid and the gamma curve is fitted to the
chip's 45 logarithmic knots; the summary says how far the result is from CamPro's float model.
"""
EPILOG = """\
CCM modes:
  compose  (default) each illuminant's stock matrix is kept and CamPro's matrix applied after it:
           the hardware CCM sees white-balanced sensor RGB, CamPro was trained on linear sRGB.
  replace  every matrix becomes CamPro's matrix (use when the sensor's RGB is close to sRGB).

examples:
  campro-edge convert examples/isp.json --base /path/to/imx415_stock.xml -o campro.xml
  campro-edge convert default.pt --base stock.xml -o campro.xml --ccm-mode replace --json
  campro-edge convert isp.json --base stock.xml -o out.xml --fidelity-images photos/
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="isp.json, or CamPro's checkpoint default.pt (needs torch)")
    add_board_argument(p)
    p.add_argument(
        "--base",
        required=True,
        metavar="STOCK.xml",
        help="the board's stock IQ file (copy it from /etc/iqfiles on the board)",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUT.xml", help="IQ file to write")
    p.add_argument(
        "--ccm-mode",
        choices=[m.value for m in CcmMode],
        default="compose",
        help="how CamPro's matrix meets the stock matrices (default: compose)",
    )
    p.add_argument(
        "--keep",
        action="append",
        default=[],
        choices=[s.value for s in Stage],
        metavar="STAGE",
        help="leave a colour-altering stage as it is (tmo, dehaze, cpsl); repeatable",
    )
    p.add_argument(
        "--fidelity-images",
        nargs="+",
        default=[],
        metavar="PATH",
        help="images or folders to measure hardware-vs-float fidelity on",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    board = load_board(args.board)
    params = load_params(args.params)
    base, out = Path(args.base), Path(args.output)
    output_path_checks(out, base)
    stock = read_bytes(base, "stock IQ file")
    paths = find_images(args.fidelity_images)
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("fit, patch, fidelity on all 16.7M colours", total=None)

        def images() -> Iterator[np.ndarray]:
            progress.update(task, description="fidelity on images", total=len(paths))
            for _, img in iter_rgb(paths):
                yield img
                progress.advance(task)

        data, result = convert(
            params,
            stock,
            board=board.name,
            iq_format=board.iq.format,
            ccm_mode=args.ccm_mode,
            neutralise=[s for s in Stage if s.value not in set(args.keep)],
            fidelity_images=images(),
            stock_name=str(base),
        )
    write_atomic(out, data)
    result.output = str(out)
    if args.json:
        print_json(result)
    else:
        print("\n".join(describe(result)))
    return 0
