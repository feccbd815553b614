"""Image pairs for the enhancer: what the board captures (the scene rendered through the
HARDWARE ISP model with CamPro's parameters) and what a person should see (the scene)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from campro_edge.images import read_rgb
from campro_edge.isp.hardware import HardwareIsp, fit_hardware, render_hardware
from campro_edge.params import IspParams


class CaptureModel:
    """Scene (uint8 sRGB) -> the frame the board outputs with these parameters (uint8 RGB)."""

    def __init__(self, params: IspParams) -> None:
        self.params = params
        self.hw: HardwareIsp = fit_hardware(params)

    def __call__(self, scene8: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(render_hardware(self.hw, scene8), dtype=np.uint8)


def crop_resize(rgb8: np.ndarray, width: int, height: int) -> np.ndarray:
    """Centre-crop to the target aspect ratio, then resize to exactly width x height."""
    h, w = rgb8.shape[:2]
    target = width / height
    if w / h > target:  # too wide: crop columns
        cw = max(1, round(h * target))
        x0 = (w - cw) // 2
        rgb8 = rgb8[:, x0 : x0 + cw]
    elif w / h < target:
        ch = max(1, round(w / target))
        y0 = (h - ch) // 2
        rgb8 = rgb8[y0 : y0 + ch]
    h, w = rgb8.shape[:2]
    if (h, w) == (height, width):
        return np.ascontiguousarray(rgb8)
    interp = cv2.INTER_AREA if w > width else cv2.INTER_CUBIC
    return cv2.resize(rgb8, (width, height), interpolation=interp)


def limit_size(rgb8: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink (never enlarge) so that the longer side is at most max_side."""
    h, w = rgb8.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1:
        return rgb8
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb8, size, interpolation=cv2.INTER_AREA)


def split_held_out(
    paths: Sequence[Path], fraction: float, minimum: int = 1
) -> tuple[list[Path], list[Path]]:
    """Deterministic split (sorted, every k-th image held out): (train, held_out)."""
    ordered = sorted(paths)
    if len(ordered) < 2:
        return list(ordered), []
    n_held = min(len(ordered) - 1, max(minimum, round(len(ordered) * fraction)))
    step = len(ordered) / n_held
    held_idx = {min(len(ordered) - 1, int(i * step + step / 2)) for i in range(n_held)}
    train = [p for i, p in enumerate(ordered) if i not in held_idx]
    held = [p for i, p in enumerate(ordered) if i in held_idx]
    return train, held


def load_scenes(paths: Sequence[Path], max_side: int) -> list[np.ndarray]:
    return [limit_size(read_rgb(p), max_side) for p in paths]
