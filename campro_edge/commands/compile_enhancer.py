"""`campro-edge compile-enhancer`: the enhancer as an .rknn for the board's NPU."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from campro_edge.board.config import load_board
from campro_edge.commands._common import print_json
from campro_edge.enhancer.cost import cost_lines
from campro_edge.errors import InputError
from campro_edge.ops.compile import (
    AccuracyThresholds,
    CompileRequest,
    check_target,
    compile_enhancer,
)
from campro_edge.params import load_params

NAME = "compile-enhancer"
HELP = "compile the enhancer for the board's NPU (rknn-toolkit2, int8, checked in its simulator)"
DESCRIPTION = """\
Compile the enhancer for the board's NPU with rknn-toolkit2.

The model (enhancer.pt from train-enhancer, CamPro's UNet.pt, or an exported .onnx) is exported
to ONNX at the board's input size (kept beside the output), then converted: the NPU takes uint8
RGB NHWC, the [0,1] normalisation is folded into the model, and int8 quantisation is calibrated
on your images rendered through the HARDWARE ISP model with the parameters the board runs (the
NPU sees captured frames). The int8 model is then run in the toolkit's simulator on held-out
images and compared with the float ONNX model; below the thresholds it is rebuilt once with
automatic hybrid quantisation, and if that is still below, nothing is written and the numbers
are shown. Writes OUT.rknn, OUT.manifest.json (input, mean/std, sha256, toolkit, target,
measured accuracy) and OUT.log (the toolkit's own output).

rknn-toolkit2 builds for RKNPU2 chips (rv1126b, rv1106/rv1103, rk3562, rk3566/rk3568, rk3576,
rk3588). The original RV1126 has an RKNPU1: use --onnx-only there and run the enhancer on the
host with ONNX Runtime. The cost report (parameters, MACs, fps) is an estimate from the NPU's
nominal int8 throughput, not a measurement.
"""
EPILOG = """\
examples:
  campro-edge compile-enhancer enhancer.pt --board rv1126b --images photos/ -o enhancer.rknn
  campro-edge compile-enhancer UNet.pt --params isp.json --board rv1126b --images photos/ \\
      -o campro.rknn --input-size 640x352
  campro-edge compile-enhancer enhancer.pt --board rv1126 --onnx-only -o enhancer.onnx
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="enhancer.pt (ours or CamPro's UNet.pt) or an exported .onnx")
    p.add_argument(
        "--board",
        required=True,
        metavar="NAME",
        help="board description (rv1126b, rv1126, ...) or a .toml path",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUT.rknn")
    p.add_argument(
        "--params",
        metavar="ISP.json",
        help="the ISP parameters the board runs (default: those the model records)",
    )
    p.add_argument(
        "--images",
        nargs="+",
        default=[],
        metavar="PATH",
        help="images or folders for calibration and the held-out accuracy check",
    )
    p.add_argument(
        "--input-size",
        metavar="WxH",
        help="NPU input size, multiples of 16 (default: the board's capture size "
        "shrunk to at most 1280 wide)",
    )
    p.add_argument("--calibration-images", type=int, default=16, metavar="N")
    p.add_argument(
        "--eval-images",
        type=int,
        default=4,
        metavar="N",
        help="held-out images for the simulator check (default 4)",
    )
    p.add_argument(
        "--min-psnr",
        type=float,
        default=30.0,
        metavar="DB",
        help="mean PSNR, int8 simulator vs float model (default 30)",
    )
    p.add_argument("--min-ssim", type=float, default=0.95, help="mean SSIM (default 0.95)")
    p.add_argument(
        "--no-hybrid", action="store_true", help="fail instead of retrying with hybrid quantisation"
    )
    p.add_argument(
        "--onnx-only",
        action="store_true",
        help="only export ONNX at the board's size (for ONNX Runtime on the host)",
    )
    p.add_argument(
        "--no-auto-toolchain",
        action="store_true",
        help="fail if the toolchain is not set up instead of creating it",
    )
    p.add_argument("--keep-work", metavar="DIR", help="keep intermediate files here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not m:
        raise InputError(f"--input-size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720")
    return int(m.group(1)), int(m.group(2))


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(stderr=True)
    board = load_board(args.board)
    output = Path(args.output)
    check_target(board, args.onnx_only)  # the RKNPU1 refusal comes before anything else
    if not args.onnx_only and not args.images:
        raise InputError("--images is required: calibration and held-out images for the check")
    req = CompileRequest(
        model=Path(args.model),
        board=board,
        output=output,
        params=load_params(args.params) if args.params else None,
        images=[Path(p) for p in args.images],
        input_size=parse_size(args.input_size) if args.input_size else None,
        calibration_images=args.calibration_images,
        eval_images=args.eval_images,
        thresholds=AccuracyThresholds(min_psnr_db=args.min_psnr, min_ssim=args.min_ssim),
        allow_hybrid=not args.no_hybrid,
        onnx_only=args.onnx_only,
        auto_toolchain=not args.no_auto_toolchain,
        keep_work=Path(args.keep_work) if args.keep_work else None,
    )
    result = compile_enhancer(req, report=lambda m: console.print(m, highlight=False))
    if args.json:
        print_json(result)
        return 0
    if result.rknn is None:
        print(
            f"wrote {result.onnx} ({result.width}x{result.height}, float32 NCHW RGB in [0,1]);"
            " run it on the host with ONNX Runtime"
        )
    else:
        final = result.attempts[-1]
        acc = final.accuracy
        print(
            f"wrote {result.rknn} for {result.target} ({final.quantization}), input "
            f"{result.width}x{result.height} uint8 NHWC RGB"
        )
        print(f"wrote {result.manifest}; float model {result.onnx}; toolkit log {result.log}")
        if acc is not None:
            print(
                f"simulator vs float on {acc.images} held-out images: PSNR "
                f"{acc.psnr_db_mean:.2f} dB (min {acc.psnr_db_min:.2f}), SSIM "
                f"{acc.ssim_mean:.4f} (min {acc.ssim_min:.4f})"
            )
    if result.cost is not None:
        for line in cost_lines(result.cost, result.target if result.fps else None):
            print(line)
    return 0
