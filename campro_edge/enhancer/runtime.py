"""Running an exported enhancer on the host with ONNX Runtime (the float reference, and the
way to view enhanced frames from a board whose NPU cannot run it, e.g. the original RV1126)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from campro_edge.errors import InputError


class OnnxEnhancer:
    """uint8 RGB HxWx3 in, float32 HxWx3 in [0, 1] out, at the model's fixed input size."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        try:
            self._session = ort.InferenceSession(
                str(path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise InputError(f"{path}: ONNX Runtime cannot load it ({type(exc).__name__})") from exc
        inp = self._session.get_inputs()[0]
        self._input = inp.name
        _, _, self.height, self.width = (int(d) for d in inp.shape)

    def run(self, rgb8: np.ndarray) -> np.ndarray:
        """Enhance one image of exactly the model's size."""
        if rgb8.shape != (self.height, self.width, 3) or rgb8.dtype != np.uint8:
            raise InputError(
                f"enhancer input must be uint8 {self.width}x{self.height} RGB, got "
                f"{rgb8.dtype} {rgb8.shape}"
            )
        x = (rgb8.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        out = self._session.run(None, {self._input: x})[0]
        return np.ascontiguousarray(out[0].transpose(1, 2, 0), dtype=np.float32)

    def enhance(self, rgb8: np.ndarray) -> np.ndarray:
        """Enhance an image of any size (resized to the model's size and back), uint8 out."""
        h, w = rgb8.shape[:2]
        fitted = fit_to(rgb8, self.width, self.height)
        out = self.run(fitted)
        out8 = np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)
        if (h, w) != (self.height, self.width):
            out8 = cv2.resize(out8, (w, h), interpolation=cv2.INTER_LINEAR)
        return out8


def fit_to(rgb8: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize (area filter when shrinking) to exactly width x height."""
    h, w = rgb8.shape[:2]
    if (h, w) == (height, width):
        return rgb8
    interp = cv2.INTER_AREA if w > width or h > height else cv2.INTER_LINEAR
    return cv2.resize(rgb8, (width, height), interpolation=interp)
