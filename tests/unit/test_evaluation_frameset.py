"""FrameSet bookkeeping and masked quality metrics (no recogniser needed)."""

from __future__ import annotations

import numpy as np
import pytest

from campro_edge.evaluation.pipeline import FrameSet, quality_metrics


def test_masks_restrict_what_counts():
    raw = [np.full((16, 16, 3), 100, np.uint8), np.full((16, 16, 3), 50, np.uint8)]
    restored = [raw[0].copy(), np.zeros_like(raw[1])]  # only the first is a real restoration
    fs = FrameSet(names=["a", "b"], raw=raw, frames={"restored": restored},
                  masks={"restored": [True, False]})
    q = quality_metrics(fs, np.linspace(0, 256, 9))
    assert q["restored"].n_images == 1
    assert q["restored"].psnr == float("inf") and q["restored"].rmse == 0.0
    unmasked = FrameSet(names=["a", "b"], raw=raw, frames={"restored": restored})
    assert quality_metrics(unmasked, np.linspace(0, 256, 9))["restored"].rmse > 0


def test_frameset_validation():
    raw = [np.zeros((4, 4, 3), np.uint8)]
    with pytest.raises(ValueError, match="unknown image type"):
        FrameSet(names=["a"], raw=raw, frames={"weird": raw})
    with pytest.raises(ValueError, match="frames for"):
        FrameSet(names=["a"], raw=raw, frames={"captured": raw * 2})
    with pytest.raises(ValueError, match="mask"):
        FrameSet(names=["a"], raw=raw, frames={"captured": raw}, masks={"captured": [1, 0]})
