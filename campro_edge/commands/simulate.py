"""`campro-edge simulate`: render images through CamPro's float model or the board's hardware."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.progress import Progress

from campro_edge.board.config import load_board
from campro_edge.commands._common import add_board_argument
from campro_edge.errors import InputError
from campro_edge.images import find_images, read_rgb, write_rgb
from campro_edge.isp.float_model import render_float
from campro_edge.isp.hardware import render_hardware, render_hardware_nv12_roundtrip
from campro_edge.ops.convert import hardware_fit
from campro_edge.params import load_params

NAME = "simulate"
HELP = "render images as the board (or CamPro's float model) would produce them"
DESCRIPTION = """\
Render images through CamPro's pipeline so you can see and measure what the camera will output.

  --model hardware  (default) the RV1126 ISP 2.0 model: 12-bit data path, CCM on the 1/128
                    register grid, the fitted 45-knot gamma, then NV12 (BT.601) and back, as a
                    captured frame decodes. --no-yuv stops before the YUV conversion.
  --model float     CamPro's own float pipeline (the paper's code): x^2.2, CCM, clip, gamma.

Input images are treated as sRGB scenes (CamPro's de-gamma x^2.2 gives the linear light).
Outputs are PNG files named after the inputs.
"""
EPILOG = """\
examples:
  campro-edge simulate examples/isp.json photos/ -o out/simulated
  campro-edge simulate isp.json face.jpg -o out --model float
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="isp.json, or CamPro's checkpoint default.pt (needs torch)")
    p.add_argument("inputs", nargs="+", metavar="IN", help="image files or folders")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the PNGs")
    add_board_argument(p)
    p.add_argument(
        "--model",
        choices=["hardware", "float"],
        default="hardware",
        help="which model renders (default: hardware)",
    )
    p.add_argument("--no-yuv", action="store_true", help="hardware model: skip the NV12 round trip")


def run(args: argparse.Namespace) -> int:
    load_board(args.board)  # validates the name; all current boards share the ISP 2.0 model
    params = load_params(args.params)
    hw = hardware_fit(params).hw
    paths = find_images(args.inputs)
    if not paths:
        raise InputError("no images found in " + ", ".join(args.inputs))
    out_dir = Path(args.output)
    with Progress(transient=True) as progress:
        task = progress.add_task(f"rendering ({args.model})", total=len(paths))
        for p in paths:
            img = read_rgb(p)
            if args.model == "float":
                out = render_float(params, img / 255.0)
            elif args.no_yuv:
                out = render_hardware(hw, img)
            else:
                out = render_hardware_nv12_roundtrip(hw, img)
            write_rgb(out_dir / f"{p.stem}.png", out)
            progress.advance(task)
    print(f"rendered {len(paths)} images with the {args.model} model into {out_dir}")
    return 0
