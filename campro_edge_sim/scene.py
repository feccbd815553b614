"""Scenes for the simulated camera: a default test chart, or an image uploaded from the host."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

# Approximate sRGB values of the 24 patches of a colour checker chart (public reference values).
CHECKER = [
    (115, 82, 68),
    (194, 150, 130),
    (98, 122, 157),
    (87, 108, 67),
    (133, 128, 177),
    (103, 189, 170),
    (214, 126, 44),
    (80, 91, 166),
    (193, 90, 99),
    (94, 60, 108),
    (157, 188, 64),
    (224, 163, 46),
    (56, 61, 150),
    (70, 148, 73),
    (175, 54, 60),
    (231, 199, 31),
    (187, 86, 149),
    (8, 133, 161),
    (243, 243, 242),
    (200, 200, 200),
    (160, 160, 160),
    (122, 122, 121),
    (85, 85, 85),
    (52, 52, 52),
]


def default_scene(width: int, height: int) -> np.ndarray:
    """uint8 RGB test scene: grey surround, 6x4 colour patches, a skin-tone oval, a grey ramp."""
    img = np.full((height, width, 3), 118, dtype=np.uint8)
    top, bottom = int(height * 0.08), int(height * 0.78)
    left, right = int(width * 0.30), int(width * 0.96)
    ph, pw = (bottom - top) / 4, (right - left) / 6
    for k, rgb in enumerate(CHECKER):
        r, c = divmod(k, 6)
        y0, x0 = int(top + r * ph + ph * 0.08), int(left + c * pw + pw * 0.08)
        y1, x1 = int(top + (r + 1) * ph - ph * 0.08), int(left + (c + 1) * pw - pw * 0.08)
        img[y0:y1, x0:x1] = rgb
    cx, cy = int(width * 0.15), int(height * 0.42)
    cv2.ellipse(
        img, (cx, cy), (int(width * 0.09), int(height * 0.24)), 0, 0, 360, (205, 160, 135), -1
    )
    cv2.ellipse(
        img,
        (cx, cy + int(height * 0.30)),
        (int(width * 0.13), int(height * 0.08)),
        0,
        180,
        360,
        (60, 70, 120),
        -1,
    )
    ramp = np.linspace(8, 247, width).astype(np.uint8)
    img[int(height * 0.85) : int(height * 0.97)] = ramp[None, :, None]
    return img


def load_scene(path: Path | None, width: int, height: int) -> np.ndarray:
    if path is not None and path.is_file():
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is not None:
            return cv2.cvtColor(
                cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB
            )
    return default_scene(width, height)
