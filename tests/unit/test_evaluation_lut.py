"""The per-pixel LUT restorer."""

from __future__ import annotations

import numpy as np
import pytest

from campro_edge.evaluation.lut_restore import LutRestorer
from campro_edge.evaluation.quality import psnr


def _img(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (64, 64, 3), dtype=np.uint8)


def test_identity_mapping_is_restored_closely():
    imgs = [_img(s) for s in range(4)]
    lut = LutRestorer(32).fit((x, x) for x in imgs)
    assert psnr(imgs[0], lut.apply(imgs[0])) > 40


def test_invertible_mapping_is_undone():
    raw = [_img(s) for s in range(4)]
    cap = [255 - x[..., ::-1] for x in raw]  # channel swap + negation
    lut = LutRestorer(32).fit(zip(cap, raw, strict=True))
    assert psnr(raw[1], lut.apply(cap[1])) > 35


def test_many_to_one_mapping_cannot_be_undone():
    raw = [_img(s) for s in range(4)]
    cap = [np.full_like(x, 100) for x in raw]  # everything becomes one colour
    lut = LutRestorer(16).fit(zip(cap, raw, strict=True))
    out = lut.apply(cap[0])
    assert (out == out[0, 0]).all()  # one colour in, one colour out
    # best constant guess for uniform noise: RMSE = 1/sqrt(12) -> PSNR = 10 log10(12) = 10.79 dB
    assert psnr(raw[0], out) == pytest.approx(10 * np.log10(12), abs=0.3)


def test_errors():
    with pytest.raises(ValueError):
        LutRestorer(12)
    with pytest.raises(ValueError):
        LutRestorer(8).table()
