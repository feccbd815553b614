"""`campro-edge train-enhancer`: train the U-Net that restores CamPro frames for viewers."""

from __future__ import annotations

import argparse
from pathlib import Path

from campro_edge.commands._common import print_json
from campro_edge.enhancer import require_torch
from campro_edge.enhancer.spec import PRESETS, UNetSpec
from campro_edge.params import load_params

NAME = "train-enhancer"
HELP = "train the enhancer (U-Net) that undoes a parameter set, for human viewers"
DESCRIPTION = """\
Train the enhancer for one parameter set. Training pairs are made by rendering your images
through the HARDWARE ISP model (the CCM on the chip's register grid, the fitted 45-knot gamma):
the input is what the board will capture, the target is the original image. Runs on the CPU by
default. The checkpoint is saved every --save-every steps and when interrupted; running the same
command again resumes (use --fresh to start over). A few images are held out and scored
(PSNR/SSIM against the original) at the end.
"""
EPILOG = """\
presets:
  campro  depth 5, 32 base channels: CamPro's enhancer (7.76 M parameters)
  small   depth 4, 8 base channels (0.12 M parameters), meant for real time on an NPU

examples:
  campro-edge train-enhancer examples/isp.json --images photos/ -o enhancer.pt
  campro-edge train-enhancer isp.json --images a/ b/ -o small.pt --preset small --steps 500
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="isp.json, or CamPro's checkpoint default.pt")
    p.add_argument(
        "--images",
        nargs="+",
        required=True,
        metavar="PATH",
        help="training images or folders (searched recursively)",
    )
    p.add_argument("-o", "--output", required=True, metavar="ENHANCER.pt")
    p.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="small",
        help="network size (default: small); --depth/--base override it",
    )
    p.add_argument("--depth", type=int, help="U-Net levels (2..7)")
    p.add_argument("--base", type=int, dest="base_channels", help="channels at the first level")
    p.add_argument("--steps", type=int, default=2000, help="optimiser steps (default 2000)")
    p.add_argument("--batch", type=int, default=8, help="patches per step (default 8)")
    p.add_argument("--patch", type=int, default=128, help="patch size in pixels (default 128)")
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (cosine decay)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
    p.add_argument(
        "--max-side",
        type=int,
        default=512,
        help="shrink training images to this longer side first (default 512)",
    )
    p.add_argument(
        "--held-out",
        type=float,
        default=0.1,
        dest="held_out",
        help="fraction of images held out for the final score (default 0.1)",
    )
    p.add_argument("--save-every", type=int, default=200, help="checkpoint period in steps")
    p.add_argument("--fresh", action="store_true", help="start over even if OUTPUT exists")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _spec(args: argparse.Namespace) -> UNetSpec:
    base = PRESETS[args.preset]
    return UNetSpec(
        depth=args.depth or base.depth,
        base_channels=args.base_channels or base.base_channels,
    )


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from campro_edge.errors import InputError

    require_torch("train-enhancer")
    from campro_edge.enhancer.training import TrainConfig
    from campro_edge.ops.train import TrainCallbacks, TrainRequest, train_enhancer

    console = Console(stderr=True)
    try:
        spec = _spec(args)
        config = TrainConfig(
            steps=args.steps,
            batch=args.batch,
            patch=args.patch,
            lr=args.lr,
            seed=args.seed,
            threads=args.threads,
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(f"bad training option {err['loc'][0]}: {err['msg']}") from None
    req = TrainRequest(
        params=load_params(args.params),
        images=[Path(p) for p in args.images],
        output=Path(args.output),
        spec=spec,
        config=config,
        held_out_fraction=args.held_out,
        max_side=args.max_side,
        save_every=args.save_every,
        fresh=args.fresh,
    )
    progress = Progress(
        TextColumn("training {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeRemainingColumn(),
        console=console,
        disable=args.json,
    )
    task = progress.add_task(spec.label(), total=config.steps, loss="-", start=False)

    def on_start(start: int, total: int) -> None:
        progress.update(task, completed=start, total=total)
        progress.start_task(task)

    def on_step(step: int, loss: float) -> None:
        progress.update(task, completed=step, loss=f"{loss:.4f}")

    callbacks = TrainCallbacks(on_start=on_start, on_step=on_step, on_message=console.print)
    with progress:
        result = train_enhancer(req, callbacks)
    if args.json:
        print_json(result)
        return 0
    print(
        f"wrote {result.output} ({spec.label()}, {result.steps} steps, "
        f"{result.train_images} training images)"
    )
    if result.held_out:
        h = result.held_out
        print(
            f"held-out ({h.images} images) enhanced vs original: PSNR {h.enhanced.psnr_db:.2f} dB,"
            f" SSIM {h.enhanced.ssim:.4f}  (captured vs original: PSNR "
            f"{h.captured.psnr_db:.2f} dB, SSIM {h.captured.ssim:.4f})"
        )
    else:
        print("no held-out images (need at least 2 images); no score")
    return 0
