"""Do a frame's colours match what the hardware model predicts for the new IQ file?

The camera looks at the same scene before and after a push. The frame taken with the previous
IQ file is turned back into the sensor's white-balanced 12-bit data (inverse gamma-out and
inverse CCM of the previous file), pushed forward through the new file's CCM and gamma with the
hardware model, and compared with the frame taken after the push. The illuminant (which CCM
the ISP picked from its AWB) is not observable from the host, so every illuminant of the IQ
file is tried and the best match is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from campro_edge.iq.rkaiq_xml import IqIspConfig
from campro_edge.isp.constants import CODE_MAX
from campro_edge.isp.hardware import HardwareIsp, render_linear12


@dataclass(frozen=True)
class ColourCheck:
    mean_abs_err: float  # 8-bit RGB, over usable pixels
    unchanged_err: float  # same measure if the frame had not changed at all
    illuminant: str
    pixels: int

    def passed(self, limit: float) -> bool:
        return self.mean_abs_err <= limit


def _inverse_gamma8(hw: HardwareIsp) -> tuple[np.ndarray, np.ndarray]:
    """8-bit output -> mean 12-bit gamma input producing it, and whether that is unambiguous.

    A value is unambiguous when the codes that produce it form one contiguous run (always true
    for a monotonic curve; CamPro's curves need not be monotonic).
    """
    lut = hw._lut8  # noqa: SLF001 - the model's own 12-bit -> 8-bit table
    codes = np.arange(CODE_MAX + 1, dtype=np.float64)
    sums = np.bincount(lut, weights=codes, minlength=256)
    counts = np.bincount(lut, minlength=256)
    lo = np.full(256, CODE_MAX + 1)
    hi = np.full(256, -1)
    np.minimum.at(lo, lut, codes.astype(np.int64))
    np.maximum.at(hi, lut, codes.astype(np.int64))
    ok = counts > 0
    inv = np.full(256, np.nan)
    inv[ok] = sums[ok] / counts[ok]
    idx = np.arange(256)
    unambiguous = ok & (hi - lo + 1 == counts)
    return np.interp(idx, idx[ok], inv[ok]), unambiguous


def predict(prev: HardwareIsp, new: HardwareIsp, before: np.ndarray) -> np.ndarray:
    inv, _ = _inverse_gamma8(prev)
    post_ccm = inv[before]  # (H, W, 3) 12-bit after the previous CCM
    sensor = post_ccm.reshape(-1, 3) @ np.linalg.inv(prev.ccm).T
    lin12 = np.clip(np.floor(sensor + 0.5), 0, CODE_MAX).astype(np.uint16).reshape(before.shape)
    return render_linear12(new, lin12)


def usable_mask(before: np.ndarray, prev: HardwareIsp | None = None) -> np.ndarray:
    """Pixels whose sensor data can be recovered from the previous frame: not clipped, and (for
    a non-monotonic previous gamma) not ambiguous."""
    mask = np.all((before > 4) & (before < 251), axis=-1)
    if prev is not None:
        _, unambiguous = _inverse_gamma8(prev)
        mask &= np.all(unambiguous[before], axis=-1)
    return mask


MIN_PIXELS = 0.02  # fraction of the frame needed for a colour comparison


def check_colours(
    prev_cfg: IqIspConfig, new_cfg: IqIspConfig, before: np.ndarray, after: np.ndarray
) -> ColourCheck | None:
    """Best match over the illuminants; None when too little of the frame can be inverted."""
    best: ColourCheck | None = None
    for ill in prev_cfg.mode("normal").illuminants:
        prev = prev_cfg.hardware(ill.wb_gain)
        mask = usable_mask(before, prev)
        if mask.sum() < MIN_PIXELS * mask.size:
            continue
        a = after[mask].astype(np.float64)
        unchanged = float(np.abs(a - before[mask].astype(np.float64)).mean())
        pred = predict(prev, new_cfg.hardware(ill.wb_gain), before)
        err = float(np.abs(pred[mask].astype(np.float64) - a).mean())
        if best is None or err < best.mean_abs_err:
            best = ColourCheck(err, unchanged, ill.name, int(mask.sum()))
    return best
