"""Evaluation image sets: an LFW-style faces folder and a folder of scene photos.

Faces folder layout: `<root>/<Identity>/<Identity>_NNNN.jpg` (or `<root>/lfw-dev/...`).
Closed-set protocol (as CamPro's exp1 and the shared data README): the gallery is the
lowest-numbered image of each identity (`_0001`), the probes are all the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from campro_edge.errors import InputError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".ppm")


@dataclass(frozen=True)
class FaceItem:
    identity: str
    path: Path
    is_gallery: bool

    @property
    def key(self) -> str:
        return f"{self.identity}/{self.path.name}"


def read_rgb(path: Path | str) -> np.ndarray:
    """Read an image file as uint8 RGB HxWx3."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError(f"cannot read image {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def write_rgb(path: Path | str, rgb: np.ndarray) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)):
        raise InputError(f"cannot write image {path}")


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def list_faces(root: Path | str, max_identities: int | None = None,
               max_probes_per_identity: int | None = None) -> list[FaceItem]:
    """Gallery and probe items of a faces folder, in a stable (sorted) order."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"faces folder {root} does not exist")
    if (root / "lfw-dev").is_dir():
        root = root / "lfw-dev"
    ids = sorted(p for p in root.iterdir() if p.is_dir())
    if max_identities is not None:
        ids = ids[:max_identities]
    items: list[FaceItem] = []
    for d in ids:
        imgs = _images_in(d)
        if len(imgs) < 2:
            continue
        items.append(FaceItem(d.name, imgs[0], True))
        probes = imgs[1:]
        if max_probes_per_identity is not None:
            probes = probes[:max_probes_per_identity]
        items.extend(FaceItem(d.name, p, False) for p in probes)
    if not items:
        raise InputError(f"no identity folder with >= 2 images under {root}")
    return items


def list_scenes(root: Path | str) -> list[Path]:
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"scenes folder {root} does not exist")
    imgs = _images_in(root)
    if not imgs:
        raise InputError(f"no images in scenes folder {root}")
    return imgs
