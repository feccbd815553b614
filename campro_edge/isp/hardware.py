"""The RV1126 ISP 2.0 as far as CamPro's stages go: what the board will output.

``HardwareIsp`` is the one object in the middle of the system: the parameters *as the chip holds
them* (CCM registers on the 1/128 grid, 45 gamma knots with 12-bit outputs). The IQ writer
serialises it, the simulated board's rkaiq emulation parses IQ files back into it, and
``render_*`` predict frames from it.

Data path [inferred from Rockchip's code, see docs/hardware.md]: 12-bit linear, white-balanced
RGB -> CCM (integer multiply by the Q4.7 registers, rounded, clipped to 0..4095) -> gamma-out
(piecewise linear over the 45 knots, rounded to 12 bits) -> 8 bits -> BT.601 YUV (NV12).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from campro_edge.isp.constants import CAMPRO_DEGAMMA, CODE_MAX, X45
from campro_edge.isp.gamma_fit import GammaFit, fit_gamma, pwl_lut
from campro_edge.isp.registers import (
    ccm_range_issues,
    ccm_to_registers,
    registers_to_ccm,
)
from campro_edge.params import IspParams


@dataclass(frozen=True, eq=False)
class HardwareIsp:
    """CCM and gamma as the RV1126 holds them."""

    ccm_regs: np.ndarray  # int64 (3, 3): diagonal = round((c-1)*128), others round(c*128)
    gamma_y: np.ndarray  # int64 (45,): 12-bit outputs at X45
    _lut8: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regs = np.asarray(self.ccm_regs, dtype=np.int64).reshape(3, 3)
        gy = np.asarray(self.gamma_y, dtype=np.int64).reshape(-1)
        if gy.shape != X45.shape:
            raise ValueError(f"gamma needs {X45.size} knots, got {gy.size}")
        if gy.min() < 0 or gy.max() > CODE_MAX:
            raise ValueError("gamma knots must be 12-bit values 0..4095")
        object.__setattr__(self, "ccm_regs", regs)
        object.__setattr__(self, "gamma_y", gy)
        object.__setattr__(self, "_lut8", _gamma_lut8(gy))

    @classmethod
    def from_matrix(cls, ccm: np.ndarray, gamma_y: np.ndarray) -> HardwareIsp:
        return cls(ccm_to_registers(ccm), np.asarray(gamma_y))

    @property
    def ccm(self) -> np.ndarray:
        """The matrix the chip applies (row = output channel)."""
        return registers_to_ccm(self.ccm_regs)

    @property
    def gamma_lut12(self) -> np.ndarray:
        """12-bit gamma output for every 12-bit input code."""
        return gamma_lut12(self.gamma_y)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, HardwareIsp)
            and np.array_equal(self.ccm_regs, other.ccm_regs)
            and np.array_equal(self.gamma_y, other.gamma_y)
        )

    def __hash__(self) -> int:
        return hash((self.ccm_regs.tobytes(), self.gamma_y.tobytes()))


def gamma_lut12(gamma_y: np.ndarray) -> np.ndarray:
    """The hardware curve at every input code, rounded to 12-bit integers."""
    return np.clip(np.floor(pwl_lut(gamma_y) + 0.5), 0, CODE_MAX).astype(np.uint16)


def _gamma_lut8(gamma_y: np.ndarray) -> np.ndarray:
    """Input code -> 8-bit output (12-bit gamma output scaled to 8 bits, rounded)."""
    lut12 = gamma_lut12(gamma_y).astype(np.float64)
    return np.floor(lut12 * 255.0 / CODE_MAX + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class HardwareFit:
    hw: HardwareIsp
    gamma: GammaFit
    ccm_requested: np.ndarray


def fit_hardware_detail(params: IspParams) -> HardwareFit:
    """Quantise the CCM and fit the gamma curve; raises ValueError naming a bad coefficient."""
    ccm = params.ccm_array()
    issues = ccm_range_issues(ccm)
    if issues:
        raise ValueError(issues[0].describe())
    gfit = fit_gamma(params.gamma_array())
    return HardwareFit(HardwareIsp(ccm_to_registers(ccm), gfit.knots_y), gfit, ccm)


def fit_hardware(params: IspParams) -> HardwareIsp:
    """What the RV1126 will hold for ``params``."""
    return fit_hardware_detail(params).hw


def _ccm_transform(ccm_regs: np.ndarray) -> np.ndarray:
    """3x4 float32 matrix for ``cv2.transform``: ``(reg_full / 128) | 0.5``.

    ``reg_full`` has the implicit 1 (128) added back on the diagonal. Dividing by 128 and adding
    the rounding half are exact in float32 for 12-bit inputs, so ``floor`` of the result equals
    the integer ``(sum(reg_full * in) + 64) >> 7`` (checked against int64 in the tests).
    """
    full = np.asarray(ccm_regs, dtype=np.float64) + 128.0 * np.eye(3)
    return np.hstack([full / 128.0, np.full((3, 1), 0.5)]).astype(np.float32)


def _ccm12_from_float(hw_regs: np.ndarray, linf: np.ndarray) -> np.ndarray:
    shape = linf.shape
    flat = np.ascontiguousarray(linf.reshape(-1, 1, 3))
    acc = cv2.transform(flat, _ccm_transform(hw_regs))
    np.clip(acc, 0, CODE_MAX, out=acc)
    return acc.astype(np.uint16).reshape(shape)  # truncation of values >= 0 is floor


def apply_ccm12(ccm_regs: np.ndarray, lin12: np.ndarray) -> np.ndarray:
    """Integer CCM on 12-bit linear RGB: ``(sum(reg_full * in) + 64) >> 7``, clipped to 0..4095."""
    return _ccm12_from_float(ccm_regs, np.asarray(lin12).astype(np.float32, copy=False))


def render_linear12(hw: HardwareIsp, lin12: np.ndarray) -> np.ndarray:
    """12-bit linear white-balanced RGB (H, W, 3) -> 8-bit RGB leaving gamma-out."""
    return hw._lut8[apply_ccm12(hw.ccm_regs, lin12)]


def render_linear12_to12(hw: HardwareIsp, lin12: np.ndarray) -> np.ndarray:
    """As :func:`render_linear12` but keeps the 12-bit gamma output."""
    return hw.gamma_lut12[apply_ccm12(hw.ccm_regs, lin12)]


#: sRGB 8-bit code -> 12-bit linear code with CamPro's de-gamma.
_DEGAMMA8 = np.floor(
    np.power(np.arange(256) / 255.0, CAMPRO_DEGAMMA) * CODE_MAX + 0.5
).astype(np.uint16)


def srgb_to_linear12(srgb: np.ndarray) -> np.ndarray:
    """sRGB image (uint8, or float in [0, 1]) -> 12-bit linear codes (CamPro's x ** 2.2)."""
    a = np.asarray(srgb)
    if a.dtype == np.uint8:
        return _DEGAMMA8[a]
    x = np.clip(a.astype(np.float64), 0.0, 1.0)
    return np.floor(np.power(x, CAMPRO_DEGAMMA) * CODE_MAX + 0.5).astype(np.uint16)


_DEGAMMA8_F32 = _DEGAMMA8.astype(np.float32)


def render_hardware(hw: HardwareIsp, srgb: np.ndarray) -> np.ndarray:
    """What the board outputs (8-bit RGB before YUV) for a scene whose linear RGB is ``srgb**2.2``.

    This is the hardware counterpart of CamPro's float pipeline: same de-gamma, then the
    12-bit data path with the quantised CCM and the fitted 45-knot gamma.
    """
    a = np.asarray(srgb)
    if a.dtype == np.uint8 and a.ndim == 3 and a.shape[-1] == 3:
        linf = cv2.LUT(a, _DEGAMMA8_F32)  # fast path: de-gamma straight into float32
        return np.take(hw._lut8, _ccm12_from_float(hw.ccm_regs, linf))
    return render_linear12(hw, srgb_to_linear12(a))


def render_hardware_nv12_roundtrip(hw: HardwareIsp, srgb: np.ndarray) -> np.ndarray:
    """As :func:`render_hardware`, then through NV12 and back (what a captured frame decodes to)."""
    from campro_edge.isp.yuv import nv12_to_rgb, rgb_to_nv12

    rgb = render_hardware(hw, srgb)
    h, w = rgb.shape[:2]
    rgb = rgb[: h - h % 2, : w - w % 2]
    return nv12_to_rgb(rgb_to_nv12(rgb), rgb.shape[1], rgb.shape[0])
