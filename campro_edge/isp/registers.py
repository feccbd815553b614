"""CCM coefficients <-> RV1126 ISP 2.0 register values (Q4.7, diagonal stored as c - 1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from campro_edge.isp.constants import (
    CCM_COEFF_MAX,
    CCM_COEFF_MIN,
    CCM_REG_MAX,
    CCM_REG_MIN,
    CCM_SCALE,
)

CHANNELS = "RGB"


def round_half_away(x: np.ndarray) -> np.ndarray:
    """Round to nearest, ties away from zero (Rockchip's ``ROUND_F``-style conversion)."""
    x = np.asarray(x, dtype=np.float64)
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int64)


@dataclass(frozen=True)
class CcmRangeIssue:
    row: int
    col: int
    value: float

    def describe(self) -> str:
        lo, hi = coeff_range(self.row, self.col)
        return (
            f"ccm[{self.row}][{self.col}] ({CHANNELS[self.row]}<-{CHANNELS[self.col]}) = "
            f"{self.value:.4f} is outside the RV1126 register range [{lo:.4f}, {hi:.4f}]"
        )


def coeff_range(row: int, col: int) -> tuple[float, float]:
    """Coefficients the register can hold: the tool range, narrowed by the c-1 diagonal."""
    lo, hi = CCM_COEFF_MIN, CCM_COEFF_MAX
    if row == col:
        lo = max(lo, 1 + CCM_REG_MIN / CCM_SCALE)
        hi = min(hi, 1 + CCM_REG_MAX / CCM_SCALE)
    return lo, hi


def ccm_range_issues(ccm: np.ndarray) -> list[CcmRangeIssue]:
    """Coefficients that cannot be held (after rounding to the register grid)."""
    issues = []
    q = quantise_ccm(ccm, check=False)
    for i in range(3):
        for j in range(3):
            lo, hi = coeff_range(i, j)
            if not lo <= q[i, j] <= hi:
                issues.append(CcmRangeIssue(i, j, float(ccm[i, j])))
    return issues


def ccm_to_registers(ccm: np.ndarray) -> np.ndarray:
    """Registers: ``round_half_away((c - 1) * 128)`` on the diagonal, ``(c * 128)`` elsewhere."""
    m = np.asarray(ccm, dtype=np.float64) - np.eye(3)
    return round_half_away(m * CCM_SCALE)


def registers_to_ccm(regs: np.ndarray) -> np.ndarray:
    return np.asarray(regs, dtype=np.float64) / CCM_SCALE + np.eye(3)


def quantise_ccm(ccm: np.ndarray, check: bool = True) -> np.ndarray:
    """The matrix the chip applies for ``ccm`` (on the 1/128 grid)."""
    q = registers_to_ccm(ccm_to_registers(ccm))
    if check:
        bad = ccm_range_issues(ccm)
        if bad:
            raise ValueError(bad[0].describe())
    return q
