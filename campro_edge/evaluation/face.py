"""Face recogniser: dlib's HOG face detector + 5-point landmarks + ResNet embeddings.

Models come from the `face-recognition-models` package (dlib ResNet v1, 128-D embeddings,
the 5-point landmark model; the 68-point model is non-commercial and unused). The package's
`__init__` imports `pkg_resources`; we locate its `.dat` files via importlib instead so that
no setuptools version matters.

Models are loaded once per process (`FaceRecognizer` caches them at module level); for many
images `embed_many` spreads work over worker processes, each loading the models once.
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from campro_edge.errors import InputError

EMBEDDING_DIM = 128
#: dlib's own same-person threshold for Euclidean distance between ResNet v1 embeddings.
DLIB_SAME_PERSON_DISTANCE = 0.6


def models_dir() -> Path:
    """The folder holding the face-recognition-models `.dat` files (without importing it)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "face recogniser unavailable: install the 'eval' extra "
            "(pip install 'campro-edge[eval]': dlib-bin, face-recognition-models)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@dataclass(frozen=True)
class FaceResult:
    """Outcome for one image: whether a face was detected and its embedding.

    `embedding` is also set for an undetected face when a fallback box was given
    (`detected` stays False so callers can count detection separately).
    """

    detected: bool
    embedding: np.ndarray | None
    box: tuple[int, int, int, int] | None  # left, top, right, bottom

    @property
    def has_embedding(self) -> bool:
        return self.embedding is not None


_MODELS: dict[str, object] = {}


def _load() -> tuple[object, object, object]:
    if not _MODELS:
        try:
            import dlib
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise InputError("face recogniser unavailable: install dlib-bin") from exc
        d = models_dir()
        _MODELS["detector"] = dlib.get_frontal_face_detector()
        _MODELS["shape"] = dlib.shape_predictor(str(d / "shape_predictor_5_face_landmarks.dat"))
        _MODELS["encoder"] = dlib.face_recognition_model_v1(
            str(d / "dlib_face_recognition_resnet_model_v1.dat")
        )
    return _MODELS["detector"], _MODELS["shape"], _MODELS["encoder"]


def _pick_central(boxes: list[tuple[int, int, int, int]], w: int, h: int) -> int:
    """Index of the box whose centre is nearest the image centre (the subject in LFW-style
    images and in frames mapped back to image coordinates)."""
    cx, cy = w / 2.0, h / 2.0
    dists = [((b[0] + b[2]) / 2 - cx) ** 2 + ((b[1] + b[3]) / 2 - cy) ** 2 for b in boxes]
    return int(np.argmin(dists))


class FaceRecognizer:
    """Detect the central face, align it with 5 landmarks and embed it (128-D).

    `upsample`: dlib detector pyramid upsampling (1 finds faces down to ~40 px).
    """

    def __init__(self, upsample: int = 1) -> None:
        self.upsample = upsample
        self._detector, self._shape, self._encoder = _load()

    def detect(self, rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
        img = _as_rgb8(rgb)
        rects = self._detector(img, self.upsample)
        return [(r.left(), r.top(), r.right(), r.bottom()) for r in rects]

    def embed(
        self, rgb: np.ndarray, fallback_box: tuple[int, int, int, int] | None = None
    ) -> FaceResult:
        import dlib

        img = _as_rgb8(rgb)
        boxes = self.detect(img)
        if boxes:
            box = boxes[_pick_central(boxes, img.shape[1], img.shape[0])]
            detected = True
        elif fallback_box is not None:
            box = fallback_box
            detected = False
        else:
            return FaceResult(False, None, None)
        rect = dlib.rectangle(*box)
        shape = self._shape(img, rect)
        vec = np.asarray(self._encoder.compute_face_descriptor(img, shape), dtype=np.float32)
        return FaceResult(detected, vec, box)


def _as_rgb8(rgb: np.ndarray) -> np.ndarray:
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise InputError(f"expected an HxWx3 RGB image, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.clip(np.rint(arr.astype(np.float64) * 255.0), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr)


_WORKER: FaceRecognizer | None = None


def _worker_init(upsample: int) -> None:
    global _WORKER
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _WORKER = FaceRecognizer(upsample)


def _worker_embed(
    item: tuple[np.ndarray, tuple[int, int, int, int] | None],
) -> FaceResult:
    assert _WORKER is not None
    return _WORKER.embed(item[0], item[1])


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class EmbedPool:
    """Embeds batches of images in worker processes that load the models once.

    Use as a context manager; with `workers=1` everything runs in this process.
    """

    def __init__(self, workers: int | None = None, upsample: int = 1) -> None:
        self.workers = workers if workers is not None else default_workers()
        self.upsample = upsample
        self._ex: ProcessPoolExecutor | None = None
        self._local: FaceRecognizer | None = None

    def __enter__(self) -> EmbedPool:
        if self.workers > 1:
            self._ex = ProcessPoolExecutor(
                self.workers, initializer=_worker_init, initargs=(self.upsample,)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ex is not None:
            self._ex.shutdown()
            self._ex = None

    def embed(
        self,
        images: list[np.ndarray],
        fallback_boxes: list[tuple[int, int, int, int] | None] | None = None,
        progress=None,
    ) -> list[FaceResult]:
        """Embed RGB images; `progress(n)` is called as images finish."""
        boxes = fallback_boxes if fallback_boxes is not None else [None] * len(images)
        if len(boxes) != len(images):
            raise ValueError("fallback_boxes must match images")
        out: list[FaceResult] = []
        if self._ex is None or len(images) < 4:
            if self._local is None:
                self._local = FaceRecognizer(self.upsample)
            for img, box in zip(images, boxes, strict=True):
                out.append(self._local.embed(img, box))
                if progress:
                    progress(1)
            return out
        chunk = max(1, min(8, len(images) // (4 * self.workers)))
        for res in self._ex.map(_worker_embed, zip(images, boxes, strict=True), chunksize=chunk):
            out.append(res)
            if progress:
                progress(1)
        return out


def embed_many(
    images: list[np.ndarray],
    fallback_boxes: list[tuple[int, int, int, int] | None] | None = None,
    workers: int | None = None,
    upsample: int = 1,
    progress=None,
) -> list[FaceResult]:
    """Embed a list of RGB images, in `workers` processes (1 = in this process)."""
    with EmbedPool(workers, upsample) as pool:
        return pool.embed(images, fallback_boxes, progress)
