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


class MosaicSource:
    """A board whose scene we set directly, many images per captured frame.

    Images are laid out on a neutral grey canvas of the capture size, the canvas becomes the
    scene, one frame is captured and cut back into tiles. Capturing a few dozen LFW faces per
    frame makes a full verify run on a (simulated) board take minutes instead of an hour.
    """

    def __init__(self, show: Callable[[np.ndarray], None], grab: Callable[[], np.ndarray],
                 label: str, frame_size: tuple[int, int], gap: int = 8) -> None:
        self._show, self._grab, self.label = show, grab, label
        self.width, self.height = frame_size
        self.gap = gap

    def frame(self, image: np.ndarray, key: str, phase: Phase) -> np.ndarray:
        return self.frames([image], [key], phase)[0]

    def _grid(self, tw: int, th: int) -> tuple[int, int]:
        g = self.gap
        return max(0, (self.width - g) // (tw + g)), max(0, (self.height - g) // (th + g))

    def frames(self, images: list[np.ndarray], keys: list[str], phase: Phase,
               done: Callable[[int], None] | None = None) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        i = 0
        while i < len(images):
            th = max(im.shape[0] for im in images[i:i + 1])
            tw = max(im.shape[1] for im in images[i:i + 1])
            cols, rows = self._grid(tw, th)
            if cols * rows == 0:  # larger than the frame: one image, scaled to fill it
                self._show(images[i])
                out.append(_to_size(self._grab(), images[i].shape[1], images[i].shape[0]))
                i += 1
                if done:
                    done(i)
                continue
            batch = []
            while i + len(batch) < len(images) and len(batch) < cols * rows:
                im = images[i + len(batch)]
                if im.shape[0] > th or im.shape[1] > tw:
                    break
                batch.append(im)
            canvas = np.full((self.height, self.width, 3), 128, dtype=np.uint8)
            spots = []
            for k, im in enumerate(batch):
                x = self.gap + (k % cols) * (tw + self.gap)
                y = self.gap + (k // cols) * (th + self.gap)
                canvas[y:y + im.shape[0], x:x + im.shape[1]] = im
                spots.append((x, y, im.shape[1], im.shape[0]))
            self._show(canvas)
            frame = _to_size(self._grab(), self.width, self.height)
            out += [frame[y:y + h, x:x + w].copy() for x, y, w, h in spots]
            i += len(batch)
            if done:
                done(i)
        return out


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
