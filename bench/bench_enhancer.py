"""Enhancer cost and int8 accuracy at 1280x720 for rv1126b: CamPro's U-Net and the small variant.

One run prints, per model: parameters, GMACs per 1280x720 frame, the fps ESTIMATE implied by the
NPU's nominal int8 peak (an upper bound, not a measurement), and the int8-vs-float PSNR/SSIM
measured in rknn-toolkit2's simulator on held-out frames rendered through the hardware ISP model.

The weights are NOT CamPro's released ones (no download here): each model is trained briefly on
the shared scenes for examples/isp.json, so the accuracy numbers describe how int8 quantisation
treats a trained network of that shape, not a finished enhancer.

    python bench/bench_enhancer.py [--out out/bench-enhancer] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from campro_edge.board.config import load_board  # noqa: E402
from campro_edge.enhancer.cost import estimate_fps, unet_cost  # noqa: E402
from campro_edge.enhancer.training import TrainConfig  # noqa: E402
from campro_edge.enhancer.unet import CAMPRO_SPEC, SMALL_SPEC, UNetSpec  # noqa: E402
from campro_edge.ops.compile import AccuracyThresholds, CompileRequest, compile_enhancer  # noqa: E402
from campro_edge.ops.train import TrainRequest, train_enhancer  # noqa: E402
from campro_edge.params import load_params  # noqa: E402

WIDTH, HEIGHT = 1280, 720
TARGET_BOARD = "rv1126b"


def shared_scenes() -> Path | None:
    import os

    root = Path(os.environ.get("CAMPRO_SHARED_DATA", REPO.parent / "shared" / "data"))
    scenes = root / "scenes"
    return scenes if scenes.is_dir() else None


def bench_one(
    name: str, spec: UNetSpec, steps: int, images: list[Path], out: Path, quick: bool
) -> dict[str, object]:
    params = load_params(REPO / "examples" / "isp.json")
    board = load_board(TARGET_BOARD)  # read before the long training run
    pt = out / f"{name}.pt"
    t0 = time.perf_counter()
    trained = train_enhancer(
        TrainRequest(
            params=params,
            images=images,
            output=pt,
            spec=spec,
            fresh=True,
            config=TrainConfig(steps=steps, batch=4, patch=96, lr=2e-3),
            max_side=384,
        )
    )
    train_s = time.perf_counter() - t0
    cost = unet_cost(spec, WIDTH, HEIGHT)
    fps = estimate_fps(cost, "rv1126b")
    t0 = time.perf_counter()
    result = compile_enhancer(
        CompileRequest(
            model=pt,
            board=board,
            output=out / f"{name}.rknn",
            images=images,
            input_size=(WIDTH, HEIGHT),
            calibration_images=4 if quick else 8,
            eval_images=2 if quick else 3,
            thresholds=AccuracyThresholds(min_psnr_db=0.0, min_ssim=-1.0),  # report, never retry
            allow_hybrid=False,
        ),
        report=lambda m: print(f"  [{name}] {m}", flush=True),
    )
    compile_s = time.perf_counter() - t0
    acc = result.attempts[-1].accuracy
    assert acc is not None and fps is not None
    held = trained.held_out
    return {
        "model": name,
        "spec": spec.label(),
        "params": cost.params,
        "gmacs_per_frame": round(cost.gmacs, 2),
        "fps_estimate_rv1126b_upper_bound": round(fps.fps_upper_bound, 2),
        "int8_vs_float_psnr_db": round(acc.psnr_db_mean, 2),
        "int8_vs_float_psnr_db_min": round(acc.psnr_db_min, 2),
        "int8_vs_float_ssim": round(acc.ssim_mean, 4),
        "sim_images": acc.images,
        "train_steps": steps,
        "enhanced_vs_scene_psnr_db": round(held.enhanced.psnr_db, 2) if held else None,
        "captured_vs_scene_psnr_db": round(held.captured.psnr_db, 2) if held else None,
        "train_s": round(train_s, 1),
        "compile_and_simulate_s": round(compile_s, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "out" / "bench-enhancer"))
    ap.add_argument("--quick", action="store_true", help="fewer steps/images (smoke run)")
    args = ap.parse_args()
    scenes = shared_scenes()
    if scenes is None:
        print("bench_enhancer: skipped: ../shared/data/scenes is absent (set CAMPRO_SHARED_DATA)")
        return 0
    images = sorted(scenes.glob("*.jpg"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plan = [
        ("campro", CAMPRO_SPEC, 30 if args.quick else 150),
        ("small", SMALL_SPEC, 60 if args.quick else 400),
    ]
    rows = []
    for name, spec, steps in plan:
        print(
            f"== {name} ({spec.label()}): training {steps} steps, then compiling for "
            f"{TARGET_BOARD} at {WIDTH}x{HEIGHT}",
            flush=True,
        )
        rows.append(bench_one(name, spec, steps, images, out, args.quick))
    (out / "results.json").write_text(json.dumps(rows, indent=2))
    header = (
        f"{'model':8} {'params':>10} {'GMACs/frame':>12} {'est. fps*':>10} "
        f"{'int8 vs float PSNR':>19} {'SSIM':>7}"
    )
    print(f"\nenhancer at {WIDTH}x{HEIGHT}, target rv1126b (3 TOPS int8 nominal)")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['model']:8} {r['params']:>10,} {r['gmacs_per_frame']:>12.2f} "
            f"{r['fps_estimate_rv1126b_upper_bound']:>10.2f} "
            f"{r['int8_vs_float_psnr_db']:>15.2f} dB {r['int8_vs_float_ssim']:>7.4f}"
        )
    print("* ESTIMATE, not a measurement: nominal int8 peak / (2 x MACs), an upper bound.")
    print("  PSNR/SSIM: rknn-toolkit2 simulator (int8) vs ONNX Runtime (float) on held-out frames")
    print("  rendered through the hardware ISP model; weights trained briefly here, not CamPro's.")
    print(f"details: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
