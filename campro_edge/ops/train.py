"""Train an enhancer that undoes one parameter set (`campro-edge train-enhancer`).

Pairs are (scene rendered through the HARDWARE ISP model, scene): what the board will capture
with these parameters, and what a viewer should see. A few images are held out (deterministic
split) and scored with PSNR/SSIM at the end. The checkpoint is saved every `save_every` steps and
on interruption; running the same command again resumes from it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from campro_edge.enhancer.checkpoint import load_enhancer, save_enhancer
from campro_edge.enhancer.data import CaptureModel, load_scenes, split_held_out
from campro_edge.enhancer.training import HeldOutReport, TrainConfig, evaluate_held_out, train
from campro_edge.enhancer.unet import UNet, UNetSpec
from campro_edge.errors import InputError
from campro_edge.images import find_images
from campro_edge.params import IspParams


class TrainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    params: IspParams
    images: list[Path] = Field(min_length=1)  # files or folders
    output: Path
    spec: UNetSpec = UNetSpec()
    config: TrainConfig = TrainConfig()
    held_out_fraction: float = Field(0.1, ge=0, lt=1)
    max_side: int = Field(512, ge=32)  # training images are shrunk to this (CPU memory/time)
    save_every: int = Field(200, ge=1)
    fresh: bool = False  # ignore an existing checkpoint at `output`


class TrainResult(BaseModel):
    output: Path
    spec: UNetSpec
    steps: int
    resumed_from: int
    last_loss: float | None
    train_images: int
    held_out_images: int
    held_out: HeldOutReport | None


class TrainCallbacks(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    on_start: Callable[[int, int], None] = lambda _start, _total: None
    on_step: Callable[[int, float], None] = lambda _step, _loss: None
    on_message: Callable[[str], None] = lambda _msg: None


def _resume_state(req: TrainRequest, params_dump: dict[str, Any]) -> tuple[UNet, int, Any]:
    """(net, start step, optimizer state) from an existing checkpoint, or a fresh start."""
    if req.fresh or not req.output.exists():
        torch_seed(req.config.seed)
        return UNet(req.spec), 0, None
    loaded = load_enhancer(req.output)
    progress = loaded.extra.get("progress")
    if loaded.kind != "campro-edge" or not isinstance(progress, dict):
        raise InputError(f"{req.output} exists and is not a resumable checkpoint; use --fresh")
    if loaded.spec != req.spec:
        raise InputError(
            f"{req.output} holds a {loaded.spec.label()}, not {req.spec.label()}; use --fresh"
        )
    if loaded.isp_params != params_dump:
        raise InputError(f"{req.output} was trained for other ISP parameters; use --fresh")
    return loaded.net, int(progress.get("step", 0)), progress.get("optimizer")


def torch_seed(seed: int) -> None:
    import torch

    torch.manual_seed(seed)


def train_enhancer(req: TrainRequest, cb: TrainCallbacks | None = None) -> TrainResult:
    cb = cb or TrainCallbacks()
    paths = find_images(req.images)
    if not paths:
        raise InputError("no images found in " + ", ".join(str(p) for p in req.images))
    train_paths, held_paths = split_held_out(paths, req.held_out_fraction)
    capture = CaptureModel(req.params)
    cb.on_message(
        f"rendering {len(paths)} images through the hardware ISP model "
        f"({len(train_paths)} train, {len(held_paths)} held out)"
    )
    scenes = load_scenes(train_paths, req.max_side)
    pairs = [(capture(s), s) for s in scenes if min(s.shape[:2]) >= req.config.patch]
    if not pairs:
        raise InputError(f"no training image is at least {req.config.patch}px on its short side")
    held_pairs = [(capture(s), s) for s in load_scenes(held_paths, req.max_side)]
    params_dump = req.params.model_dump(mode="json")
    net, start, opt_state = _resume_state(req, params_dump)
    if start:
        cb.on_message(f"resuming {req.output} at step {start} of {req.config.steps}")
    training_info = {"config": req.config.model_dump(), "images": len(pairs)}
    last_loss: list[float] = []

    def save(step: int, opt: dict[str, Any] | None) -> None:
        progress = {"step": step, "optimizer": opt, "loss": last_loss[-1] if last_loss else None}
        save_enhancer(req.output, net, params_dump, training_info, progress)

    def step_cb(step: int, loss: float) -> None:
        last_loss.append(loss)
        del last_loss[:-1]
        cb.on_step(step, loss)

    cb.on_start(start, req.config.steps)
    opt = opt_state
    if start < req.config.steps:
        try:
            opt = train(net, pairs, req.config, start, opt_state, step_cb, save, req.save_every)
        except KeyboardInterrupt:
            cb.on_message("interrupted; run the same command again to resume")
            raise
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        save(req.config.steps, opt)
    report = evaluate_held_out(net, held_pairs)
    return TrainResult(
        output=req.output,
        spec=req.spec,
        steps=req.config.steps,
        resumed_from=start,
        last_loss=last_loss[-1] if last_loss else None,
        train_images=len(pairs),
        held_out_images=len(held_pairs),
        held_out=report,
    )
