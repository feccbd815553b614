"""Image-quality metrics against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from campro_edge.evaluation import quality


def _noise(seed: int, shape=(64, 64, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_perfect_copy_gives_inf_psnr_and_unit_ssim():
    img = _noise(0)
    assert quality.psnr(img, img.copy()) == math.inf
    assert quality.rmse(img, img.copy()) == 0.0
    assert quality.ssim(img, img.copy()) == pytest.approx(1.0, abs=1e-12)
    assert quality.ms_ssim(img, img.copy()) == pytest.approx(1.0, abs=1e-12)


def test_constant_offset_psnr_and_rmse():
    a = np.full((32, 32, 3), 0.5)
    b = a + 0.1  # MSE = 0.01 -> PSNR 20 dB, RMSE 0.1
    assert quality.rmse(a, b) == pytest.approx(0.1)
    assert quality.psnr(a, b) == pytest.approx(20.0)


def test_uint8_is_scaled_to_unit_range():
    a = np.zeros((16, 16, 3), np.uint8)
    b = np.full((16, 16, 3), 255, np.uint8)
    assert quality.rmse(a, b) == pytest.approx(1.0)
    assert quality.psnr(a, b) == pytest.approx(0.0)


def test_ssim_of_flat_images_is_the_luminance_term():
    # flat images: variances 0, so SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)
    x, y = 0.2, 0.6
    c1 = 0.01 ** 2
    expected = (2 * x * y + c1) / (x * x + y * y + c1)
    a = np.full((40, 40, 3), x)
    b = np.full((40, 40, 3), y)
    assert quality.ssim(a, b) == pytest.approx(expected, rel=1e-9)


def test_ssim_drops_for_noise_and_is_symmetric():
    rng = np.random.default_rng(1)
    a = rng.random((64, 64, 3))
    b = np.clip(a + rng.normal(0, 0.2, a.shape), 0, 1)
    s = quality.ssim(a, b)
    assert 0.0 < s < 0.9
    assert s == pytest.approx(quality.ssim(b, a))
    assert quality.ms_ssim(a, b) < 1.0


def test_inverted_image_has_negative_ssim():
    a = np.random.default_rng(2).random((48, 48))
    assert quality.ssim(a, 1.0 - a) < 0.0


def test_ms_ssim_scales_for_small_images():
    assert quality.ms_ssim_scales(250, 250) == 5  # 250,125,62,31,15 all >= 11
    assert quality.ms_ssim_scales(100, 100) == 4  # 100,50,25,12
    assert quality.ms_ssim_scales(10, 10) == 0
    with pytest.raises(ValueError):
        quality.ms_ssim(np.zeros((8, 8)), np.zeros((8, 8)))


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        quality.psnr(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))


def test_abs_error_levels():
    a = np.zeros((2, 2, 3), np.uint8)
    b = np.full((2, 2, 3), 7, np.uint8)
    assert np.allclose(quality.abs_error_levels(a, b), 7.0)
