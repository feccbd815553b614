"""How far the board's output (hardware model) is from CamPro's float model.

Errors are in 8-bit output levels (the float model scaled by 255). "All inputs" means every
8-bit sRGB triple (256^3 colours); image figures use real photos when given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel

from campro_edge.isp.float_model import render_float_arrays
from campro_edge.isp.hardware import HardwareIsp, render_hardware


class ErrorStats(BaseModel):
    max_abs: float
    mean_abs: float
    psnr_db: float
    pixels: int


class FidelityReport(BaseModel):
    all_inputs: ErrorStats
    images: ErrorStats | None = None
    image_count: int = 0
    gamma_rms_12bit: float
    gamma_max_12bit: float
    gamma_sampled_rms_12bit: float
    gamma_sampled_max_12bit: float
    gamma_method: str
    ccm_max_abs_coeff_error: float


class _Acc:
    def __init__(self) -> None:
        self.max = 0.0
        self.sum = 0.0
        self.sq = 0.0
        self.n = 0

    def add(self, hw8: np.ndarray, fl: np.ndarray) -> None:
        d = hw8.astype(np.float64) - fl.astype(np.float64) * 255.0
        a = np.abs(d)
        self.max = max(self.max, float(a.max()))
        self.sum += float(a.sum())
        self.sq += float((d * d).sum())
        self.n += d.size

    def stats(self) -> ErrorStats:
        mse = self.sq / max(self.n, 1)
        psnr = math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)
        return ErrorStats(
            max_abs=round(self.max, 4),
            mean_abs=round(self.sum / max(self.n, 1), 4),
            psnr_db=round(psnr, 3) if math.isfinite(psnr) else psnr,
            pixels=self.n // 3,
        )


def _cube_chunks(step: int = 1, chunk_r: int = 16) -> Iterable[np.ndarray]:
    v = np.arange(0, 256, step, dtype=np.uint8)
    g, b = np.meshgrid(v, v, indexing="ij")
    for r0 in range(0, v.size, chunk_r):
        rs = v[r0 : r0 + chunk_r]
        block = np.empty((rs.size, v.size, v.size, 3), dtype=np.uint8)
        block[..., 0] = rs[:, None, None]
        block[..., 1] = g
        block[..., 2] = b
        yield block.reshape(-1, 1, 3)


def compare(
    hw: HardwareIsp,
    ccm: np.ndarray,
    gamma: np.ndarray,
    images: Iterable[np.ndarray] = (),
    cube_step: int = 1,
) -> tuple[ErrorStats, ErrorStats | None, int]:
    """Hardware vs float model on the colour cube and on ``images`` (uint8 RGB)."""
    cube = _Acc()
    for block in _cube_chunks(cube_step):
        cube.add(render_hardware(hw, block), render_float_arrays(ccm, gamma, block / 255.0))
    img_acc = _Acc()
    count = 0
    for img in images:
        img_acc.add(render_hardware(hw, img), render_float_arrays(ccm, gamma, img / 255.0))
        count += 1
    return cube.stats(), (img_acc.stats() if count else None), count
