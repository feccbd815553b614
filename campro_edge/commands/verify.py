"""`campro-edge verify`: measure privacy, utility and image quality of a parameter set on a
board (or on pre-captured frames, or on the hardware model), with an HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from campro_edge.commands._board_args import add_target_arguments
from campro_edge.errors import InputError

NAME = "verify"
HELP = "capture faces and scenes with the stock and the CamPro IQ; measure and report"
DESCRIPTION = """\
The paper's real-world evaluation as one command. Every image of --faces and --scenes is
captured twice (stock IQ, CamPro IQ), then:
  1. ISP applied: the CamPro frame is predicted from the stock frame and compared (8-bit levels);
  2. privacy: closed-set identification with dlib's ResNet face recogniser (gallery = raw _0001
     of each identity, probes = the others as raw / stock / captured / enhanced / restored
     frames), face detection rate, verification ROC and TAR@FAR;
  3. utility: OpenCV's HOG people detector on raw vs enhanced scenes;
  4. image quality: RMSE, PSNR, SSIM, MS-SSIM vs raw.
Writes REPORT_DIR/report.html (offline), metrics.json and junit.xml. Exit status 0 when every
configured threshold passes, 5 when one fails.
"""
EPILOG = """\
frame sources:
  --model           no board: frames from the RV1126 hardware ISP model (through NV12)
  --frames DIR      pre-captured frames DIR/{stock,campro}/{faces,scenes}/<name>.png
  (default)         the board given by --board/--host

examples:
  campro-edge verify examples/isp.json --model --faces ../shared/data/faces \\
      --scenes ../shared/data/scenes -o out/verify
  campro-edge verify isp.json --frames captures/ --faces lfw/ --scenes scenes/ -o report/ \\
      --enhancer enhancer.onnx --attack-steps 600 --thresholds thresholds.json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", type=Path, help="isp.json, or CamPro's checkpoint default.pt")
    add_target_arguments(p)
    p.add_argument("--faces", type=Path, required=True,
                   help="faces folder: one sub-folder per identity, >= 2 images each")
    p.add_argument("--scenes", type=Path, help="folder of photos with people in them")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT_DIR")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--model", action="store_true",
                     help="use the hardware ISP model instead of a board")
    src.add_argument("--frames", type=Path, metavar="DIR", help="use pre-captured frames")
    p.add_argument("--stock-iq", type=Path, metavar="XML",
                   help="the stock IQ file (for --model/--frames: the stock ISP to predict from; "
                   "default: identity CCM and a 1/2.2 gamma)")
    p.add_argument("--enhancer", type=Path, metavar="ONNX",
                   help="enhancer exported by compile-enhancer/train-enhancer (ONNX), or 'lut' "
                   "for a per-pixel colour-table stand-in fitted on the fly")
    p.add_argument("--attack-steps", type=int, default=0, metavar="N",
                   help="train the white-box restoration U-Net for N steps (0: skip; 600 "
                   "takes a few minutes on a CPU)")
    p.add_argument("--thresholds", type=Path, metavar="JSON",
                   help="pass/fail thresholds (keys of campro_edge.evaluation.thresholds)")
    p.add_argument("--max-identities", type=int, metavar="N", help="use the first N identities")
    p.add_argument("--max-probes", type=int, metavar="N", help="probes per identity")
    p.add_argument("--workers", type=int, metavar="N", help="face recogniser processes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ccm-mode", choices=["compose", "replace"], default="compose",
                   help="board runs: how push-iq writes the CCM (default: compose)")
    p.add_argument("--capture-size", default="1920x1080", metavar="WxH",
                   help="board runs: capture size; several images share one frame "
                   "(default: 1920x1080)")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from campro_edge.evaluation.sources import FolderSource, ModelSource
    from campro_edge.evaluation.thresholds import load_thresholds
    from campro_edge.ops.verify import campro_hardware, neutral_stock, run_verify, stock_from_iq

    console = Console(stderr=True)
    thresholds = load_thresholds(args.thresholds)
    campro_hw = campro_hardware(args.params)
    stock_hw = stock_from_iq(args.stock_iq) if args.stock_iq else neutral_stock()
    if args.model:
        source = ModelSource(stock_hw, campro_hw)
    elif args.frames:
        source = FolderSource(args.frames)
    else:
        return _run_on_board(args, console, thresholds, campro_hw)
    with _progress(console) as progress:
        res, paths = run_verify(_options(args), source, campro_hw, stock_hw, thresholds,
                                progress=progress,
                                info={"parameters": str(args.params)})
    return _report(console, res, paths)


def _report(console, res, paths) -> int:  # type: ignore[no-untyped-def]
    """Print each check, the report's path; exit status 5 if a check failed."""
    from campro_edge.ops.verify import verdict

    for c in res.checks:
        mark = {"pass": "[green]pass[/]", "fail": "[red]FAIL[/]"}.get(c.status, "[dim]skip[/]")
        console.print(f"{mark}  {c.name}: {c.message}")
    console.print(f"report: {paths['html']}")
    verdict(res, paths)
    return 0


def _options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from campro_edge.ops.verify import VerifyOptions

    return VerifyOptions(
        faces=args.faces, scenes=args.scenes, out_dir=args.output,
        max_identities=args.max_identities, max_probes=args.max_probes,
        enhancer=args.enhancer, attack_steps=args.attack_steps, workers=args.workers,
        seed=args.seed,
    )


def _run_on_board(args: argparse.Namespace, console, thresholds, campro_hw) -> int:  # type: ignore[no-untyped-def]
    """Capture on the board given by --board/--host; leave it on its stock IQ file."""
    from campro_edge.commands._board_args import board_name
    from campro_edge.ops.verify import run_verify
    from campro_edge.ops.verify_board import BoardVerifyTarget

    try:
        w, h = (int(v) for v in args.capture_size.lower().split("x"))
    except ValueError:
        raise InputError(f"--capture-size {args.capture_size!r}: expected WIDTHxHEIGHT") from None
    from campro_edge.evaluation.datasets import list_faces, list_scenes

    opts = _options(args)
    list_faces(opts.faces, opts.max_identities, opts.max_probes)  # bad input: fail before the
    if opts.scenes:  # board is touched
        list_scenes(opts.scenes)
    target = BoardVerifyTarget(
        board=board_name(args), host=args.host, params=args.params, ccm_mode=args.ccm_mode,
        trust_new_host_key=args.trust_new_host_key, key_file=args.identity,
        frame_size=(w, h), console=console,
    )
    target.check_start()
    try:
        with target.source() as source, _progress(console) as progress:
            res, paths = run_verify(
                opts, source, campro_hw, None, thresholds, progress=progress,
                set_phase=target.set_phase,
                info={"parameters": str(args.params), "ccm mode": args.ccm_mode},
                stock_hw_from_board=lambda: target.stock_hw,
                isp_campro_hw_from_board=lambda: target.campro_isp_hw,
            )
    finally:
        target.restore()
    return _report(console, res, paths)


class _progress:
    """Rich progress bars, one per stage, driven by (stage, done, total) callbacks."""

    def __init__(self, console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._p = Progress(TextColumn("{task.description:<28}"), BarColumn(),
                           MofNCompleteColumn(), console=console, transient=False)
        self._tasks: dict[str, int] = {}

    def __enter__(self):
        self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._p.add_task(stage, total=total)
        self._p.update(self._tasks[stage], completed=done, total=total)
