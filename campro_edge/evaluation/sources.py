"""Where `verify`'s frames come from. Every source returns frames in the *image's* coordinates
(same size as the image shown), so the metrics code is the same after this point.

* `FolderSource`   (c) pre-captured frames: `<root>/<phase>/<key>.png` (phase = stock|campro).
* `DisplaySource`  (a) the simulated board: `show(image)` makes the image the scene (upload),
  `grab()` captures a frame; the frame is resized back to the image size (the simulator fills
  the sensor with the scene).
* `MonitorSource`  (b) a real board filming a monitor: the image is shown full screen inside
  ArUco markers (`fiducials.py`); the markers found in the first stock frame give the
  homography used for every later frame (the camera must not move).
* `ModelSource`    no board: the hardware ISP model (`render_hardware`, optionally through NV12),
  i.e. the frames a correctly configured board would produce. For dry runs and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

import cv2
import numpy as np

from campro_edge.errors import InputError
from campro_edge.evaluation.datasets import IMAGE_SUFFIXES, read_rgb
from campro_edge.evaluation.fiducials import (
    MonitorLayout,
    compose_screen,
    find_screen_homography,
    frame_to_image,
)
from campro_edge.isp.hardware import HardwareIsp, render_hardware, render_hardware_nv12_roundtrip

Phase = Literal["stock", "campro"]


class FrameSource(Protocol):
    label: str

    def frame(self, image: np.ndarray, key: str, phase: Phase) -> np.ndarray:
        """The frame the camera produces for `image` under the IQ of `phase`, uint8 RGB,
        resampled to the image's size."""
        ...


def _to_size(frame: np.ndarray, w: int, h: int) -> np.ndarray:
    if frame.shape[:2] == (h, w):
        return frame
    fh, fw = frame.shape[:2]
    interp = cv2.INTER_AREA if fw > w or fh > h else cv2.INTER_LINEAR
    return cv2.resize(frame, (w, h), interpolation=interp)


class FolderSource:
    """Pre-captured frames: `<root>/<phase>/<key without extension>.<png|jpg|...>`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(f"frames folder {self.root} does not exist")
        self.label = f"frames from {self.root}"

    def frame(self, image: np.ndarray, key: str, phase: Phase) -> np.ndarray:
        stem = self.root / phase / Path(key).with_suffix("")
        for suf in (".png", *IMAGE_SUFFIXES):
            p = stem.with_suffix(suf)
            if p.is_file():
                return _to_size(read_rgb(p), image.shape[1], image.shape[0])
        raise InputError(f"no {phase} frame for {key} under {self.root} (expected {stem}.png)")


class DisplaySource:
    """A board whose scene we set directly (the simulated board)."""

    def __init__(self, show: Callable[[np.ndarray], None], grab: Callable[[], np.ndarray],
                 label: str) -> None:
        self._show, self._grab, self.label = show, grab, label

    def frame(self, image: np.ndarray, key: str, phase: Phase) -> np.ndarray:
        self._show(image)
        return _to_size(self._grab(), image.shape[1], image.shape[0])


class MonitorSource:
    """A board filming a monitor that shows the image inside ArUco markers."""

    def __init__(self, show: Callable[[np.ndarray], None], grab: Callable[[], np.ndarray],
                 label: str, layout: MonitorLayout | None = None) -> None:
        self._show, self._grab, self.label = show, grab, label
        self.layout = layout or MonitorLayout()
        self.homography: np.ndarray | None = None

    def frame(self, image: np.ndarray, key: str, phase: Phase) -> np.ndarray:
        self._show(compose_screen(image, self.layout))
        frame = self._grab()
        if self.homography is None:
            if phase != "stock":
                raise InputError("capture a stock-IQ frame first: the fiducial markers are "
                                 "located with the stock IQ")
            self.homography = find_screen_homography(frame, self.layout)
        h, w = image.shape[:2]
        return frame_to_image(frame, self.homography, self.layout, w, h)


class ModelSource:
    """Frames predicted by the hardware ISP model (no board)."""

    def __init__(self, stock: HardwareIsp, campro: HardwareIsp, nv12: bool = True) -> None:
        self._hw = {"stock": stock, "campro": campro}
        self._nv12 = nv12
        self.label = "hardware ISP model" + (" through NV12" if nv12 else "")

    def frame(self, image: np.ndarray, key: str, phase: Phase) -> np.ndarray:
        img = np.asarray(image, dtype=np.uint8)
        if not self._nv12:
            return render_hardware(self._hw[phase], img)
        h, w = img.shape[:2]
        even = np.pad(img, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        return render_hardware_nv12_roundtrip(self._hw[phase], even)[:h, :w]
