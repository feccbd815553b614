"""CamPro's ISP exactly as the paper's code computes it (forget2save/CamPro src/isp/*.py).

degamma ``x ** 2.2`` of the sRGB-encoded input -> CCM (row = output) -> clip [0, 1] ->
piecewise-linear gamma on N uniform knots (``i = floor(clamp(x, 1e-6, 1 - 1e-6) * (N - 1))``,
linear interpolation between ``keypoints[i]`` and ``keypoints[i + 1]``).
"""

from __future__ import annotations

import cv2
import numpy as np

from campro_edge.isp.constants import CAMPRO_DEGAMMA
from campro_edge.params import IspParams


def degamma(srgb: np.ndarray) -> np.ndarray:
    x = np.clip(srgb, 0.0, 1.0)
    return np.clip(np.power(x, x.dtype.type(CAMPRO_DEGAMMA)), 0.0, 1.0)


def apply_ccm(linear: np.ndarray, ccm: np.ndarray) -> np.ndarray:
    """``out[..., i] = sum_j ccm[i, j] * linear[..., j]``, clipped to [0, 1]."""
    lin = np.ascontiguousarray(linear, dtype=np.float32)
    out = cv2.transform(lin.reshape(-1, 1, 3), np.asarray(ccm, dtype=np.float32))
    return np.clip(out.reshape(lin.shape), 0.0, 1.0)


def uniform_pwl(x: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
    """CamPro's Gamma.forward: uniform-knot piecewise-linear curve."""
    kp = np.asarray(keypoints, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    n = kp.shape[0] - 1
    xc = np.clip(x, 1e-6, 1 - 1e-6)
    i = np.floor(xc * n).astype(np.intp)
    alpha = x * n - i
    alpha = alpha.astype(kp.dtype, copy=False)
    return kp[i] * (1 - alpha) + kp[i + 1] * alpha


def render_float_arrays(ccm: np.ndarray, gamma: np.ndarray, srgb: np.ndarray) -> np.ndarray:
    """Render sRGB pixels (float in [0, 1], last axis RGB) through CamPro's float pipeline."""
    x = np.asarray(srgb, dtype=np.float32)  # CamPro runs in float32 (torch's default)
    if x.shape[-1] != 3:
        raise ValueError("expected an array of RGB pixels (last axis 3)")
    return uniform_pwl(apply_ccm(degamma(x), ccm), gamma).astype(np.float32)


def render_float(params: IspParams, srgb: np.ndarray) -> np.ndarray:
    """Render sRGB pixels through CamPro's float pipeline with the given parameters."""
    return render_float_arrays(params.ccm_array(), params.gamma_array(), srgb)
