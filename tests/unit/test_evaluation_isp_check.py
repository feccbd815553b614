"""The ISP-applied check: passes for the IQ the board claims, fails for another one."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from campro_edge.evaluation.datasets import list_scenes, read_rgb
from campro_edge.evaluation.isp_check import check_isp, inverse_gamma_lut, predict_from_stock
from campro_edge.evaluation.thresholds import Thresholds
from campro_edge.isp.constants import CODE_MAX, X45
from campro_edge.isp.hardware import HardwareIsp, render_hardware, render_hardware_nv12_roundtrip

P45 = (X45 / CODE_MAX) ** (1 / 2.2)
# the simulated stock IMX415 matrix (docs/ROCKCHIP_IQ.md) and a plain 1/2.2 curve
STOCK = HardwareIsp.from_matrix(
    np.array([[1.6, -0.45, -0.15], [-0.3, 1.55, -0.25], [0.05, -0.55, 1.5]]),
    np.rint(P45 * CODE_MAX),
)
CAMPRO = HardwareIsp.from_matrix(
    np.array([[0.5, 1.0, -0.5], [1.0, -0.2, 0.2], [0.3, 0.3, 0.4]]),
    np.rint((1 - np.abs(np.mod(3 * P45, 2) - 1)) * CODE_MAX),  # three-fold gamma
)


def _synthetic(n=3):
    """Photo-like test images (smooth, moderately saturated colour fields with an edge; fully
    saturated random colours clip in the stock CCM and are not what cameras see)."""
    rng = np.random.default_rng(7)
    out = []
    for _ in range(n):
        grey = rng.integers(40, 200, (12, 16, 1))
        small = np.clip(grey + rng.integers(-30, 31, (12, 16, 3)), 0, 255).astype(np.uint8)
        img = cv2.resize(small, (320, 240), interpolation=cv2.INTER_CUBIC)
        img[60:180, 100:110] = rng.integers(60, 200, 3, dtype=np.uint8)  # a sharp bar
        out.append(img)
    return out


def _scenes(shared_scenes_dir, n=3):
    return [read_rgb(p)[:240, :320] for p in list_scenes(shared_scenes_dir)[:n]]


def test_inverse_gamma_of_identity_like_curve():
    inv = inverse_gamma_lut(STOCK)
    assert inv[0] < 1 and inv[255] > 4000
    assert np.all(np.diff(inv) > 0)


def test_prediction_is_exact_without_yuv(shared_scenes_dir):
    scenes = _scenes(shared_scenes_dir)
    stock = [render_hardware(STOCK, s) for s in scenes]
    campro = [render_hardware(CAMPRO, s) for s in scenes]
    r = check_isp(stock, campro, STOCK, CAMPRO)
    assert r.mean_error < 2.0
    pred = predict_from_stock(stock[0], STOCK, CAMPRO)
    assert pred.shape == campro[0].shape and pred.dtype == np.uint8


@pytest.mark.parametrize("images", ["synthetic", "real"])
def test_right_iq_passes_and_stock_iq_fails(images, request):
    limit = Thresholds().isp_mean_error_max
    if images == "real":
        scenes = _scenes(request.getfixturevalue("shared_scenes_dir"))
    else:
        scenes = _synthetic()
    stock = [render_hardware_nv12_roundtrip(STOCK, s) for s in scenes]
    campro = [render_hardware_nv12_roundtrip(CAMPRO, s) for s in scenes]
    right = check_isp(stock, campro, STOCK, CAMPRO)
    assert right.mean_error <= limit
    # the board still runs the stock IQ although CamPro was claimed
    wrong = check_isp(stock, stock, STOCK, CAMPRO)
    assert wrong.mean_error > limit
    # the board runs a different CamPro-like IQ (other CCM, same gamma)
    other = HardwareIsp.from_matrix(np.eye(3), CAMPRO.gamma_y)
    wrong2 = check_isp(stock, [render_hardware_nv12_roundtrip(other, s) for s in scenes],
                       STOCK, CAMPRO)
    assert wrong2.mean_error > limit
    assert sum(right.histogram_counts) == 3 * right.pixels_used


def test_mismatched_inputs_are_errors():
    a = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError):
        check_isp([a], [], STOCK, CAMPRO)
    with pytest.raises(ValueError):
        check_isp([a], [np.zeros((4, 5, 3), np.uint8)], STOCK, CAMPRO)
