"""A per-pixel restoration baseline: the best colour lookup table from captured to raw.

For each captured RGB colour (quantised to `bins` levels per channel) the table holds the mean
raw colour of the training pixels that produced it (the least-squares optimal per-pixel
inverse for that training set). Empty cells fall back to coarser tables (bins/2, bins/4, ...)
and finally to the global mean. It is cheap (no training loop), so the parameter search uses it
as a stand-in for the enhancer and as a first restoration attacker; the U-Net attacker in
`restoration.py` can only do better because it also sees neighbouring pixels.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class LutRestorer:
    def __init__(self, bins: int = 32) -> None:
        if bins < 2 or bins & (bins - 1):
            raise ValueError("bins must be a power of two >= 2")
        self.bins = bins
        self._sums = np.zeros((bins ** 3, 3))
        self._counts = np.zeros(bins ** 3)
        self._table: np.ndarray | None = None  # float32 (bins, bins, bins, 3)

    def _index(self, captured: np.ndarray, bins: int) -> np.ndarray:
        q = (captured.reshape(-1, 3).astype(np.int64) * bins) >> 8
        return (q[:, 0] * bins + q[:, 1]) * bins + q[:, 2]

    def add(self, captured: np.ndarray, raw: np.ndarray, stride: int = 1) -> None:
        """Accumulate one uint8 (captured, raw) image pair; `stride` subsamples pixels."""
        c = np.asarray(captured, dtype=np.uint8)[::stride, ::stride]
        r = np.asarray(raw, dtype=np.uint8)[::stride, ::stride]
        if c.shape != r.shape:
            raise ValueError("captured and raw images differ in shape")
        idx = self._index(c, self.bins)
        self._counts += np.bincount(idx, minlength=self.bins ** 3)
        for ch in range(3):
            self._sums[:, ch] += np.bincount(
                idx, weights=r.reshape(-1, 3)[:, ch].astype(np.float64), minlength=self.bins ** 3
            )
        self._table = None

    def fit(self, pairs: Iterable[tuple[np.ndarray, np.ndarray]], stride: int = 1) -> LutRestorer:
        for cap, raw in pairs:
            self.add(cap, raw, stride)
        return self

    def table(self) -> np.ndarray:
        if self._table is not None:
            return self._table
        if self._counts.sum() == 0:
            raise ValueError("LutRestorer has no training pixels")
        b = self.bins
        sums = self._sums.reshape(b, b, b, 3)
        counts = self._counts.reshape(b, b, b)
        table = np.zeros((b, b, b, 3))
        filled = np.zeros((b, b, b), dtype=bool)
        level = b
        while True:
            f = b // level
            s = sums.reshape(level, f, level, f, level, f, 3).sum(axis=(1, 3, 5))
            n = counts.reshape(level, f, level, f, level, f).sum(axis=(1, 3, 5))
            mean = s / np.maximum(n, 1)[..., None]
            up = np.repeat(np.repeat(np.repeat(mean, f, 0), f, 1), f, 2)
            have = np.repeat(np.repeat(np.repeat(n > 0, f, 0), f, 1), f, 2)
            take = have & ~filled
            table[take] = up[take]
            filled |= take
            if filled.all() or level == 1:
                break
            level //= 2
        self._table = table.astype(np.float32)
        return self._table

    def apply(self, captured: np.ndarray) -> np.ndarray:
        """Restore a uint8 RGB image (trilinear interpolation between table cells)."""
        c = np.asarray(captured, dtype=np.uint8)
        b = self.bins
        t = self.table()
        pos = np.clip(c.reshape(-1, 3).astype(np.float32) * (b / 256.0) - 0.5, 0, b - 1)
        i0 = np.minimum(pos.astype(np.int64), b - 2)
        w = pos - i0
        out = np.zeros((pos.shape[0], 3), np.float32)
        for dr in (0, 1):
            wr = w[:, 0] if dr else 1 - w[:, 0]
            for dg in (0, 1):
                wg = w[:, 1] if dg else 1 - w[:, 1]
                for db in (0, 1):
                    wb = w[:, 2] if db else 1 - w[:, 2]
                    v = t[i0[:, 0] + dr, i0[:, 1] + dg, i0[:, 2] + db]
                    out += (wr * wg * wb)[:, None] * v
        return np.clip(np.rint(out), 0, 255).astype(np.uint8).reshape(c.shape)
