"""Fit the RV1126's 45-knot logarithmic gamma-out curve to a CamPro curve.

The hardware interpolates linearly between 45 knots at fixed 12-bit x positions (``X45``) with
12-bit integer outputs. CamPro's curve is piecewise linear on N uniform knots. Sampling the CamPro
curve at the hardware knots ignores everything between knots (the top knots are 512 codes apart);
instead we choose the 45 outputs that minimise the squared error over *every* 12-bit input code
(least squares on the hardware's hat-function basis), round them to integers, refine the rounding
by coordinate descent, clamp to [0, 4095] — and keep the sampled curve if, on the same measure,
it is better (it never is in practice, but the guarantee is cheap). Non-monotone curves need no
special handling: the basis is linear, nothing assumes monotonicity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from campro_edge.isp.constants import CODE_MAX, X45
from campro_edge.isp.float_model import uniform_pwl

CODES = np.arange(CODE_MAX + 1, dtype=np.float64)


@cache
def hat_basis(knots: tuple[int, ...] = tuple(X45.tolist())) -> np.ndarray:
    """``B[v, k]``: weight of knot k in the hardware's interpolation at input code v."""
    x = np.asarray(knots, dtype=np.float64)
    basis = np.zeros((CODES.size, x.size))
    seg = np.clip(np.searchsorted(x, CODES, side="right") - 1, 0, x.size - 2)
    t = (CODES - x[seg]) / (x[seg + 1] - x[seg])
    rows = np.arange(CODES.size)
    basis[rows, seg] = 1 - t
    basis[rows, seg + 1] += t
    basis.setflags(write=False)
    return basis


def pwl_lut(knot_y: np.ndarray, knots: np.ndarray = X45) -> np.ndarray:
    """12-bit output of the hardware curve for every 12-bit input code (float, not rounded)."""
    return np.interp(CODES, knots.astype(np.float64), np.asarray(knot_y, dtype=np.float64))


def target_curve(gamma: np.ndarray) -> np.ndarray:
    """CamPro's curve evaluated at every 12-bit input code, in 12-bit output units."""
    return uniform_pwl(CODES / CODE_MAX, gamma) * CODE_MAX


def _sse(knot_y: np.ndarray, target: np.ndarray) -> float:
    d = pwl_lut(knot_y) - target
    return float(d @ d)


def sample_gamma(gamma: np.ndarray) -> np.ndarray:
    """The naive conversion: CamPro's curve sampled at the knots, rounded and clamped."""
    y = uniform_pwl(X45 / CODE_MAX, gamma) * CODE_MAX
    return np.clip(np.floor(y + 0.5), 0, CODE_MAX).astype(np.int64)


def _refine_integers(y: np.ndarray, target: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Coordinate descent on integer knot values: try +-1 on each knot while it helps."""
    basis = hat_basis()
    resid = pwl_lut(y) - target
    y = y.copy()
    for _ in range(rounds):
        changed = False
        for k in range(y.size):
            col = basis[:, k]
            nz = col > 0
            c, r = col[nz], resid[nz]
            base = r @ r
            for step in (1, -1):
                if not 0 <= y[k] + step <= CODE_MAX:
                    continue
                r2 = r + step * c
                if r2 @ r2 < base - 1e-9:
                    y[k] += step
                    resid[nz] = r2
                    r, base = r2, r2 @ r2
                    changed = True
                    break
        if not changed:
            break
    return y


@dataclass(frozen=True)
class GammaFit:
    knots_y: np.ndarray  # int64 (45,), 0..4095
    method: str  # "least-squares" or "sampled"
    rms_error: float  # 12-bit units, over all input codes
    max_error: float
    sampled_rms_error: float
    sampled_max_error: float


def _errors(knot_y: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    d = pwl_lut(knot_y) - target
    return float(np.sqrt(np.mean(d * d))), float(np.max(np.abs(d)))


def fit_gamma(gamma: np.ndarray) -> GammaFit:
    """Best 45-knot, 12-bit hardware curve for CamPro's ``gamma`` (N uniform y-values)."""
    target = target_curve(np.asarray(gamma, dtype=np.float64))
    basis = hat_basis()
    y_ls, *_ = np.linalg.lstsq(basis, target, rcond=None)
    y_int = np.clip(np.floor(y_ls + 0.5), 0, CODE_MAX).astype(np.int64)
    y_int = _refine_integers(y_int, target)
    sampled = sample_gamma(gamma)
    fit_rms, fit_max = _errors(y_int, target)
    s_rms, s_max = _errors(sampled, target)
    if _sse(sampled, target) < _sse(y_int, target):
        return GammaFit(sampled, "sampled", s_rms, s_max, s_rms, s_max)
    return GammaFit(y_int, "least-squares", fit_rms, fit_max, s_rms, s_max)
