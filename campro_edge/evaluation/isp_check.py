"""Check 1 of `verify`: is the board really running the CamPro ISP it was given?

With the camera fixed, a frame captured with the stock IQ tells us the scene: undo the stock
gamma (each 8-bit output level maps back to the mean 12-bit linear code that produces it) and
the stock CCM (matrix inverse), apply the CamPro hardware model (`render_linear12`), and compare
with the frame captured with the CamPro IQ. Pixels where the stock frame is saturated (a channel
at 0 or 255: the scene is not recoverable there) are left out. Errors are absolute differences
in 8-bit levels, per channel; a board that runs a different IQ than claimed gives errors of tens
of levels, a correct one a few (NV12 chroma subsampling and 8-bit quantisation of the stock
frame are the floor).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from campro_edge.isp.constants import CODE_MAX
from campro_edge.isp.hardware import HardwareIsp, render_linear12


class ChannelError(BaseModel):
    mean: float
    p99: float
    max: float


class IspCheckResult(BaseModel):
    frames: int
    pixels_used: int
    pixels_total: int
    per_channel: dict[str, ChannelError]
    mean_error: float  # mean over channels of the per-channel mean
    p99_error: float  # max over channels of the per-channel 99th percentile
    histogram_edges: list[float]
    histogram_counts: list[int]  # |error| histogram over all channels


def inverse_gamma_lut(hw: HardwareIsp) -> np.ndarray:
    """8-bit output level -> mean 12-bit input code producing it (float, 256 entries).

    Levels the curve never outputs are interpolated from their neighbours.
    """
    lut12 = hw.gamma_lut12.astype(np.float64)
    out8 = np.floor(lut12 * 255.0 / CODE_MAX + 0.5).astype(np.int64)
    codes = np.arange(CODE_MAX + 1, dtype=np.float64)
    sums = np.bincount(out8, weights=codes, minlength=256)
    counts = np.bincount(out8, minlength=256)
    have = counts > 0
    inv = np.zeros(256)
    inv[have] = sums[have] / counts[have]
    levels = np.arange(256)
    return np.interp(levels, levels[have], inv[have])


def predict_from_stock(stock_frame: np.ndarray, stock_hw: HardwareIsp,
                       campro_hw: HardwareIsp) -> np.ndarray:
    """The CamPro frame predicted from a stock frame of the same scene (uint8 RGB)."""
    f = np.asarray(stock_frame, dtype=np.uint8)
    lin_after_ccm = inverse_gamma_lut(stock_hw)[f]  # stock CCM output, 12-bit float
    inv = np.linalg.inv(stock_hw.ccm)
    lin = lin_after_ccm.reshape(-1, 3) @ inv.T
    lin12 = np.clip(np.rint(lin), 0, CODE_MAX).astype(np.uint16).reshape(f.shape)
    return render_linear12(campro_hw, lin12)


def check_isp(stock_frames: list[np.ndarray], campro_frames: list[np.ndarray],
              stock_hw: HardwareIsp, campro_hw: HardwareIsp,
              bins: int = 64) -> IspCheckResult:
    if len(stock_frames) != len(campro_frames) or not stock_frames:
        raise ValueError("need the same, non-zero number of stock and CamPro frames")
    errs: list[np.ndarray] = []
    total = 0
    for s, c in zip(stock_frames, campro_frames, strict=True):
        s = np.asarray(s, dtype=np.uint8)
        c = np.asarray(c, dtype=np.uint8)
        if s.shape != c.shape:
            raise ValueError(f"stock and CamPro frames differ in size: {s.shape} vs {c.shape}")
        pred = predict_from_stock(s, stock_hw, campro_hw)
        ok = ((s > 0) & (s < 255)).all(axis=2)
        total += ok.size
        errs.append(np.abs(pred.astype(np.int16) - c.astype(np.int16))[ok])
    e = np.concatenate(errs).astype(np.float64)  # (pixels, 3)
    if e.size == 0:
        raise ValueError("every pixel of the stock frames is saturated; cannot check the ISP")
    per = {
        name: ChannelError(mean=float(e[:, k].mean()), p99=float(np.percentile(e[:, k], 99)),
                           max=float(e[:, k].max()))
        for k, name in enumerate("RGB")
    }
    counts, edges = np.histogram(e.reshape(-1), bins=bins, range=(0, 256))
    return IspCheckResult(
        frames=len(stock_frames),
        pixels_used=int(e.shape[0]),
        pixels_total=total,
        per_channel=per,
        mean_error=float(np.mean([v.mean for v in per.values()])),
        p99_error=float(max(v.p99 for v in per.values())),
        histogram_edges=edges.tolist(),
        histogram_counts=counts.tolist(),
    )
