"""Reading and writing images at the edges (OpenCV underneath, RGB arrays inside)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

from campro_edge.errors import InputError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}


def find_images(inputs: Iterable[str | Path]) -> list[Path]:
    """Files given directly, plus image files found (recursively, sorted) in given folders."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in IMAGE_SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


def read_rgb(path: str | Path) -> np.ndarray:
    """uint8 RGB (H, W, 3); raises InputError for unreadable files."""
    p = Path(path)
    img = cv2.imread(str(p), cv2.IMREAD_COLOR)
    if img is None:
        raise InputError(f"{p}: not a readable image")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def iter_rgb(paths: Iterable[Path]) -> Iterator[tuple[Path, np.ndarray]]:
    for p in paths:
        yield p, read_rgb(p)


def write_rgb(path: str | Path, rgb: np.ndarray) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8:
        arr = np.clip(np.floor(arr * 255.0 + 0.5), 0, 255).astype(np.uint8)
    if not cv2.imwrite(str(p), cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)):
        raise InputError(f"{p}: cannot write image (unsupported extension or folder not writable)")
    return p
