"""The training loop: random patches of (captured, scene) pairs, L1 loss, Adam, cosine LR.

Every batch is drawn from an RNG seeded by (seed, step), and the learning rate is a function of
the step, so a run resumed from a checkpoint continues exactly where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field

from campro_edge.enhancer.unet import UNet
from campro_edge.evaluation.quality import psnr, ssim


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = Field(2000, ge=1)
    batch: int = Field(8, ge=1)
    patch: int = Field(128, ge=16)
    lr: float = Field(1e-3, gt=0)
    seed: int = 0
    threads: int | None = Field(None, ge=1)


Pair = tuple[np.ndarray, np.ndarray]  # (captured uint8 HxWx3, scene uint8 HxWx3)


def _lr_at(cfg: TrainConfig, step: int) -> float:
    return cfg.lr * 0.5 * (1.0 + math.cos(math.pi * step / cfg.steps))


def _batch(pairs: Sequence[Pair], cfg: TrainConfig, step: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng((cfg.seed, step))
    xs, ys = [], []
    for _ in range(cfg.batch):
        cap, scene = pairs[int(rng.integers(len(pairs)))]
        h, w = cap.shape[:2]
        y0 = int(rng.integers(h - cfg.patch + 1))
        x0 = int(rng.integers(w - cfg.patch + 1))
        a = cap[y0 : y0 + cfg.patch, x0 : x0 + cfg.patch]
        b = scene[y0 : y0 + cfg.patch, x0 : x0 + cfg.patch]
        if rng.random() < 0.5:
            a, b = a[:, ::-1], b[:, ::-1]
        xs.append(a)
        ys.append(b)
    x = torch.from_numpy(np.stack(xs).astype(np.float32) / 255.0).permute(0, 3, 1, 2)
    y = torch.from_numpy(np.stack(ys).astype(np.float32) / 255.0).permute(0, 3, 1, 2)
    return x.contiguous(), y.contiguous()


def train(
    net: UNet,
    pairs: Sequence[Pair],
    cfg: TrainConfig,
    start_step: int = 0,
    optimizer_state: dict[str, Any] | None = None,
    on_step: Callable[[int, float], None] = lambda _s, _l: None,
    on_save: Callable[[int, dict[str, Any]], None] = lambda _s, _o: None,
    save_every: int = 200,
) -> dict[str, Any]:
    """Train in place from `start_step` to `cfg.steps`; returns the optimizer state."""
    if not pairs:
        raise ValueError("no training pairs")
    small = [p for p in pairs if min(p[0].shape[:2]) < cfg.patch]
    if small:
        raise ValueError(f"{len(small)} training images are smaller than the {cfg.patch}px patch")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    if optimizer_state:
        opt.load_state_dict(optimizer_state)
    net.train()
    done = start_step
    try:
        for step in range(start_step, cfg.steps):
            for group in opt.param_groups:
                group["lr"] = _lr_at(cfg, step)
            x, y = _batch(pairs, cfg, step)
            loss = torch.nn.functional.l1_loss(net(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            done = step + 1
            on_step(done, float(loss.detach()))
            if done % save_every == 0 and done < cfg.steps:
                on_save(done, opt.state_dict())
    except KeyboardInterrupt:
        if done > start_step:
            on_save(done, opt.state_dict())  # keep what was done; the next run resumes here
        raise
    finally:
        net.eval()
    return opt.state_dict()


class QualityScores(BaseModel):
    psnr_db: float
    ssim: float


class HeldOutReport(BaseModel):
    images: int
    enhanced: QualityScores  # enhancer(captured) vs scene
    captured: QualityScores  # captured vs scene, for scale


def _centre_multiple(img: np.ndarray, m: int) -> np.ndarray:
    h, w = img.shape[:2]
    hh, ww = h - h % m, w - w % m
    y0, x0 = (h - hh) // 2, (w - ww) // 2
    return img[y0 : y0 + hh, x0 : x0 + ww]


@torch.no_grad()
def enhance_float(net: UNet, rgb8: np.ndarray) -> np.ndarray:
    """Enhancer output clamped to [0, 1] as float32 HxWx3 (size must suit the net)."""
    x = torch.from_numpy(rgb8.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    y = torch.clamp(net.eval()(x), 0.0, 1.0)[0].permute(1, 2, 0)
    return y.numpy().astype(np.float32)


def evaluate_held_out(net: UNet, pairs: Sequence[Pair]) -> HeldOutReport | None:
    if not pairs:
        return None
    e_p, e_s, c_p, c_s = [], [], [], []
    for cap, scene in pairs:
        cap_c = _centre_multiple(cap, net.spec.stride)
        scene_c = _centre_multiple(scene, net.spec.stride)
        out = enhance_float(net, cap_c)
        e_p.append(psnr(scene_c, out))
        e_s.append(ssim(scene_c, out))
        c_p.append(psnr(scene_c, cap_c))
        c_s.append(ssim(scene_c, cap_c))
    return HeldOutReport(
        images=len(pairs),
        enhanced=QualityScores(psnr_db=float(np.mean(e_p)), ssim=float(np.mean(e_s))),
        captured=QualityScores(psnr_db=float(np.mean(c_p)), ssim=float(np.mean(c_s))),
    )
