"""The white-box restoration attack (CamPro's E1 "restoration with U-Net").

An attacker who knows the ISP parameters renders images they own through the hardware model and
trains a U-Net to map captured frames back to the originals, then runs the face recogniser on
the restored frames. The training images must be disjoint from the evaluated identities
(`split_identities` alternates identities sorted by name: even index = attacker's).

The network is `campro_edge.enhancer.unet.UNet` (CamPro's enhancer layout, smaller by default so
it trains on a CPU in minutes) trained with the enhancer's own loop (L1, Adam, cosine LR,
seeded). The product's enhancer is trained for humans; this one is the adversary's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field

from campro_edge.enhancer.training import TrainConfig, train
from campro_edge.enhancer.unet import UNet, UNetSpec


class RestorationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    depth: int = Field(4, ge=2, le=6)
    base_channels: int = Field(16, ge=4, le=64)
    steps: int = Field(1500, ge=1)
    batch: int = Field(8, ge=1)
    patch: int = Field(64, ge=16)
    lr: float = Field(1e-3, gt=0)
    seed: int = 0
    #: torch threads; 1 avoids OpenMP spin-waiting when other processes share the cores
    threads: int | None = 1


def split_identities(identities: Sequence[str]) -> tuple[set[str], set[str]]:
    """(attacker's identities, evaluated identities): alternate over the sorted names."""
    ids = sorted(set(identities))
    return set(ids[0::2]), set(ids[1::2])


def train_restorer(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]],
    cfg: RestorationConfig | None = None,
    on_step: Callable[[int, float], None] = lambda _s, _l: None,
) -> UNet:
    """Train a U-Net on (captured uint8, raw uint8) pairs; returns it in eval mode."""
    cfg = cfg or RestorationConfig()
    torch.manual_seed(cfg.seed)
    net = UNet(UNetSpec(depth=cfg.depth, base_channels=cfg.base_channels))
    tcfg = TrainConfig(steps=cfg.steps, batch=cfg.batch, patch=cfg.patch, lr=cfg.lr,
                       seed=cfg.seed, threads=cfg.threads)
    train(net, list(pairs), tcfg, on_step=on_step)
    return net.eval()


@torch.no_grad()
def restore(net: UNet, rgb8: np.ndarray) -> np.ndarray:
    """Run the restorer on a whole uint8 RGB image (reflect-padded to the net's stride)."""
    img = np.asarray(rgb8, dtype=np.uint8)
    h, w = img.shape[:2]
    m = net.spec.stride
    ph, pw = (-h) % m, (-w) % m
    padded = np.pad(img, ((0, ph), (0, pw), (0, 0)), mode="reflect") if ph or pw else img
    x = torch.from_numpy(padded.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    y = torch.clamp(net(x), 0.0, 1.0)[0].permute(1, 2, 0).numpy()[:h, :w]
    return np.clip(np.rint(y * 255.0), 0, 255).astype(np.uint8)
