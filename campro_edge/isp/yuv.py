"""The kernel's RGB -> YUV (BT.601, 1/128 coefficients) for NV12 frames, and its inverse.

Forward: ``Y = (38R + 75G + 15B + 64) >> 7``, ``Cb = ((-22R - 42G + 64B + 64) >> 7) + 128``,
``Cr = ((64R - 54G - 10B + 64) >> 7) + 128`` (full range; rkisp_config_color_space). Chroma is
averaged over 2x2 blocks for NV12 [inferred: the ISP's 4:2:0 decimation filter is not documented].
Inverse: the exact inverse of that matrix, so RGB -> NV12 -> RGB is as close as 8 bits allow.
"""

from __future__ import annotations

import numpy as np

from campro_edge.isp.constants import CSM_FULL

_CSM = CSM_FULL.astype(np.float64) / 128.0
_CSM_INV = np.linalg.inv(_CSM).astype(np.float32)


def rgb_to_yuv444(rgb8: np.ndarray) -> np.ndarray:
    """uint8 RGB (H, W, 3) -> uint8 YUV (H, W, 3) with the kernel's integer arithmetic."""
    rgb = np.asarray(rgb8).astype(np.int32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    c = CSM_FULL
    y = (c[0, 0] * r + c[0, 1] * g + c[0, 2] * b + 64) >> 7
    u = ((c[1, 0] * r + c[1, 1] * g + c[1, 2] * b + 64) >> 7) + 128
    v = ((c[2, 0] * r + c[2, 1] * g + c[2, 2] * b + 64) >> 7) + 128
    return np.clip(np.stack([y, u, v], axis=-1), 0, 255).astype(np.uint8)


def rgb_to_nv12(rgb8: np.ndarray) -> np.ndarray:
    """uint8 RGB (H, W, 3), H and W even -> NV12 as uint8 array of shape (H * 3 // 2, W)."""
    h, w = rgb8.shape[:2]
    if h % 2 or w % 2:
        raise ValueError(f"NV12 needs even width and height, got {w}x{h}")
    yuv = rgb_to_yuv444(rgb8)
    uv = yuv[..., 1:].reshape(h // 2, 2, w // 2, 2, 2).astype(np.uint16).sum(axis=(1, 3))
    uv = ((uv + 2) >> 2).astype(np.uint8)  # rounded 2x2 mean
    out = np.empty((h * 3 // 2, w), dtype=np.uint8)
    out[:h] = yuv[..., 0]
    out[h:] = uv.reshape(h // 2, w)
    return out


def nv12_to_rgb(nv12: np.ndarray | bytes, width: int, height: int) -> np.ndarray:
    """NV12 (bytes or array) -> uint8 RGB (H, W, 3) with the inverse of the kernel's matrix."""
    expected = width * height * 3 // 2
    buf = np.frombuffer(nv12, dtype=np.uint8) if isinstance(nv12, bytes | bytearray) else nv12
    buf = np.asarray(buf, dtype=np.uint8).reshape(-1)
    if buf.size != expected:
        raise ValueError(
            f"NV12 frame of {width}x{height} needs {expected} bytes, got {buf.size}"
        )
    y = buf[: width * height].reshape(height, width).astype(np.float32)
    uv = buf[width * height :].reshape(height // 2, width // 2, 2).astype(np.float32) - 128.0
    uv = uv.repeat(2, axis=0).repeat(2, axis=1)
    yuv = np.concatenate([y[..., None], uv], axis=-1)
    rgb = yuv @ _CSM_INV.T
    return np.clip(np.floor(rgb + 0.5), 0, 255).astype(np.uint8)
