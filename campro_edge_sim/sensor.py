"""The simulated IMX415 module: its own (invented, plausible) colour calibration and noise.

Calibration = per illuminant the AWB gains that make a grey patch neutral (`wb_gain`, [R, B]
with G = 1) and the CCM from white-balanced sensor RGB to linear sRGB (rows = outputs, rows
sum to 1). The stock IQ file of the simulated board is written from these numbers, and the
capture emulation uses their inverse to turn a scene into sensor data. Nothing here is taken
from a vendor file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from campro_edge.isp.constants import CODE_MAX


@dataclass(frozen=True)
class Illum:
    name: str
    wb_gain: tuple[float, float]
    ccm: tuple[tuple[float, float, float], ...]


def _m(rows: list[list[float]]) -> tuple[tuple[float, float, float], ...]:
    # force rows to sum to exactly 1 by adjusting the diagonal
    out = []
    for i, r in enumerate(rows):
        r = list(r)
        r[i] = round(1.0 - sum(v for j, v in enumerate(r) if j != i), 4)
        out.append((r[0], r[1], r[2]))
    return tuple(out)


ILLUMINANTS: tuple[Illum, ...] = (
    Illum("A", (1.21, 2.97), _m([[0, -0.52, -0.06], [-0.41, 0, -0.22], [-0.08, -0.93, 0]])),
    Illum("TL84", (1.74, 2.41), _m([[0, -0.47, -0.09], [-0.33, 0, -0.25], [0.01, -0.71, 0]])),
    Illum("D50", (1.95, 2.02), _m([[0, -0.44, -0.12], [-0.27, 0, -0.26], [0.03, -0.58, 0]])),
    Illum("D65", (2.19, 1.72), _m([[0, -0.42, -0.14], [-0.25, 0, -0.27], [0.04, -0.52, 0]])),
)
SATURATIONS = (100.0, 74.0)  # stock profiles per illuminant: full and reduced saturation


def illum(name: str) -> Illum:
    for i in ILLUMINANTS:
        if i.name.upper() == name.upper():
            return i
    raise ValueError(
        f"unknown illuminant {name!r} (known: {', '.join(i.name for i in ILLUMINANTS)})"
    )


def profile_matrix(il: Illum, saturation: float) -> np.ndarray:
    m = np.asarray(il.ccm, dtype=np.float64)
    s = saturation / 100.0
    return np.round(np.eye(3) + s * (m - np.eye(3)), 4)


@dataclass(frozen=True)
class NoiseModel:
    shot: float = 0.6  # variance per 12-bit code of signal (photo-electrons folded in)
    read: float = 2.0  # read-noise sigma in 12-bit codes


def scene_to_raw12(
    lin: np.ndarray, scene_illum: Illum, rng: np.random.Generator, noise: NoiseModel = NoiseModel()
) -> np.ndarray:
    """Linear sRGB scene (float, 0..1) -> the sensor's raw (not white-balanced) 12-bit RGB.

    Inverse calibration: white-balanced sensor RGB = CCM^-1 * scene, then the illuminant's colour
    cast (divide by its WB gains), photon + read noise and 12-bit quantisation.
    """
    ccm = np.asarray(scene_illum.ccm, dtype=np.float64)
    wb_sensor = lin.reshape(-1, 3) @ np.linalg.inv(ccm).T
    cast = np.array([1.0 / scene_illum.wb_gain[0], 1.0, 1.0 / scene_illum.wb_gain[1]])
    raw = np.clip(wb_sensor * cast, 0.0, 1.0) * CODE_MAX
    sigma = np.sqrt(noise.shot * raw + noise.read**2)
    raw = raw + rng.standard_normal(raw.shape) * sigma
    return np.clip(np.floor(raw + 0.5), 0, CODE_MAX).astype(np.uint16).reshape(lin.shape)


def grey_world_gains(raw12: np.ndarray) -> tuple[float, float]:
    """AWB estimate from the raw frame: [G/R, G/B] of the mean over not-clipped pixels."""
    px = raw12.reshape(-1, 3).astype(np.float64)
    ok = (px.max(axis=1) < CODE_MAX - 64) & (px.min(axis=1) > 16)
    sel = px[ok] if ok.sum() > 100 else px
    m = sel.mean(axis=0)
    return (float(m[1] / max(m[0], 1e-6)), float(m[1] / max(m[2], 1e-6)))


def white_balance(raw12: np.ndarray, gains: tuple[float, float]) -> np.ndarray:
    g = np.array([gains[0], 1.0, gains[1]], dtype=np.float32)
    out = raw12.astype(np.float32) * g
    return np.clip(np.floor(out + 0.5), 0, CODE_MAX).astype(np.uint16)
