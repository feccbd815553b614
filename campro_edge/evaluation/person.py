"""Person detector: OpenCV's HOG + linear SVM people detector (Dalal & Triggs 2005).

Why this one and not mediapipe's BlazePose: `mediapipe==0.10.14` is the last release that
bundles its models for offline use, and it requires numpy<2 (and protobuf<5), which conflicts
with the numpy 2 this package and its other dependencies use; newer mediapipe releases ship
no models. OpenCV's detector ships inside opencv-python(-headless) 4.x (a required dependency
already), runs offline and deterministically, and works on gradients of the image, so colour
or tone changes that keep edges keep it working. It is weaker than a CNN detector (it finds
mostly upright, whole people at least ~64x128 px), so absolute rates are lower than the
paper's YOLOv5 AP; we compare each processed image with the raw image through the *same*
detector (detection rate and agreement with the raw detections).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass(frozen=True)
class PersonDetectorConfig:
    #: images are resized so their longer side is this many pixels before detection
    long_side: int = 480
    win_stride: int = 8
    padding: int = 8
    scale: float = 1.05
    #: SVM margin a window needs to count (OpenCV's default is 0)
    hit_threshold: float = 0.0
    #: non-maximum suppression IoU
    nms_iou: float = 0.45
    #: minimum SVM score of a kept detection
    min_score: float = 0.0


class PersonDetector:
    """Detect people; returns boxes in the input image's pixel coordinates."""

    def __init__(self, config: PersonDetectorConfig | None = None) -> None:
        self.config = config or PersonDetectorConfig()
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect_scored(self, rgb: np.ndarray) -> list[tuple[Box, float]]:
        c = self.config
        img = np.asarray(rgb)
        if img.dtype != np.uint8:
            img = np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)
        h, w = img.shape[:2]
        f = c.long_side / max(h, w)
        small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        rects, weights = self._hog.detectMultiScale(
            small,
            hitThreshold=c.hit_threshold,
            winStride=(c.win_stride, c.win_stride),
            padding=(c.padding, c.padding),
            scale=c.scale,
        )
        if len(rects) == 0:
            return []
        weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        boxes = [(int(x / f), int(y / f), int((x + bw) / f), int((y + bh) / f))
                 for x, y, bw, bh in rects]
        keep = nms(boxes, weights, c.nms_iou)
        return [(boxes[i], float(weights[i])) for i in keep if weights[i] >= c.min_score]

    def detect(self, rgb: np.ndarray) -> list[Box]:
        return [b for b, _ in self.detect_scored(rgb)]


def iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms(boxes: list[Box], scores: np.ndarray, iou_threshold: float) -> list[int]:
    """Greedy non-maximum suppression; indices of kept boxes, best first."""
    order = list(np.argsort(-np.asarray(scores)))
    keep: list[int] = []
    while order:
        i = int(order.pop(0))
        keep.append(i)
        order = [j for j in order if iou(boxes[i], boxes[int(j)]) < iou_threshold]
    return keep
