"""Full-reference image quality: RMSE, PSNR, SSIM, MS-SSIM (numpy + cv2 filters).

Conventions follow CamPro's exp4 (`src/evaluation/exp4.py` in forget2save/CamPro): images are
scaled to [0, 1]; RMSE = sqrt(MSE); PSNR = -10 log10(MSE) (peak 1). SSIM is Wang et al. 2004
(Gaussian window 11x11, sigma 1.5, K1 = 0.01, K2 = 0.03), computed per channel on the "valid"
part of the image (where the whole window fits) and averaged over channels. MS-SSIM is Wang,
Simoncelli & Bovik 2003 with the usual five weights; scales whose image would be smaller than
the window are dropped and the remaining weights renormalised (LFW's 250x250 images keep all five
scales), and negative contrast-structure terms are clamped to 0 before the power.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

WINDOW = 11
SIGMA = 1.5
K1 = 0.01
K2 = 0.03
MS_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def to_unit(img: np.ndarray) -> np.ndarray:
    """uint8 -> float64 in [0,1]; float images are taken as already in [0,1]."""
    arr = np.asarray(img)
    if arr.dtype == np.uint8:
        return arr.astype(np.float64) / 255.0
    if arr.dtype == np.uint16:
        return arr.astype(np.float64) / 65535.0
    return arr.astype(np.float64)


def _pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = to_unit(a), to_unit(b)
    if x.shape != y.shape:
        raise ValueError(f"image shapes differ: {x.shape} vs {y.shape}")
    if x.ndim == 2:
        x, y = x[..., None], y[..., None]
    return x, y


def mse(a: np.ndarray, b: np.ndarray) -> float:
    x, y = _pair(a, b)
    return float(np.mean((x - y) ** 2))


def rmse(a: np.ndarray, b: np.ndarray) -> float:
    return math.sqrt(mse(a, b))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB with peak 1; `inf` for identical images."""
    m = mse(a, b)
    return math.inf if m == 0.0 else -10.0 * math.log10(m)


def _blur_valid(img: np.ndarray) -> np.ndarray:
    out = cv2.GaussianBlur(img, (WINDOW, WINDOW), SIGMA, borderType=cv2.BORDER_REFLECT)
    r = WINDOW // 2
    return out[r:-r, r:-r]


def _ssim_terms(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean SSIM, mean contrast-structure) of single-channel float64 images."""
    c1, c2 = K1 ** 2, K2 ** 2
    mx, my = _blur_valid(x), _blur_valid(y)
    sxx = _blur_valid(x * x) - mx * mx
    syy = _blur_valid(y * y) - my * my
    sxy = _blur_valid(x * y) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return float(np.mean(lum * cs)), float(np.mean(cs))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM over channels (1.0 for identical images)."""
    x, y = _pair(a, b)
    if min(x.shape[:2]) < WINDOW:
        raise ValueError(f"images must be at least {WINDOW}x{WINDOW} for SSIM")
    return float(np.mean([_ssim_terms(x[..., c], y[..., c])[0] for c in range(x.shape[2])]))


def _down2(img: np.ndarray) -> np.ndarray:
    h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
    v = img[:h, :w]
    return 0.25 * (v[0::2, 0::2] + v[1::2, 0::2] + v[0::2, 1::2] + v[1::2, 1::2])


def ms_ssim_scales(h: int, w: int) -> int:
    """How many of the five MS-SSIM scales fit an h x w image."""
    n = 0
    while n < len(MS_WEIGHTS) and min(h, w) >= WINDOW:
        n += 1
        h, w = h // 2, w // 2
    return n


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Multi-scale SSIM, mean over channels (1.0 for identical images)."""
    x, y = _pair(a, b)
    n = ms_ssim_scales(*x.shape[:2])
    if n == 0:
        raise ValueError(f"images must be at least {WINDOW}x{WINDOW} for MS-SSIM")
    weights = np.asarray(MS_WEIGHTS[:n])
    weights = weights / weights.sum()
    per_channel = []
    for c in range(x.shape[2]):
        xc, yc = x[..., c], y[..., c]
        value = 1.0
        for s in range(n):
            full, cs = _ssim_terms(xc, yc)
            if s == n - 1:
                value *= max(full, 0.0) ** weights[s]
            else:
                value *= max(cs, 0.0) ** weights[s]
                xc, yc = _down2(xc), _down2(yc)
        per_channel.append(value)
    return float(np.mean(per_channel))


def abs_error_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Absolute per-pixel difference in 8-bit levels (float64, same shape)."""
    x, y = _pair(a, b)
    return np.abs(x - y) * 255.0


def quality_all(reference: np.ndarray, test: np.ndarray) -> dict[str, float]:
    return {
        "rmse": rmse(reference, test),
        "psnr": psnr(reference, test),
        "ssim": ssim(reference, test),
        "ms_ssim": ms_ssim(reference, test),
    }
