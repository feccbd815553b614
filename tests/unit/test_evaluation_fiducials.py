"""Monitor + ArUco markers: a synthetic camera view maps back onto the displayed image."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from campro_edge.errors import InputError
from campro_edge.evaluation.fiducials import (
    MonitorLayout,
    compose_screen,
    find_screen_homography,
    frame_to_image,
)
from campro_edge.evaluation.quality import psnr


def _photo(seed: int = 0, w: int = 320, h: int = 240) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 8, w // 8, 3), dtype=np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)  # smooth, photo-like


def _camera(screen: np.ndarray, view: np.ndarray, size=(1280, 720)) -> np.ndarray:
    """A camera seeing the screen under perspective `view`, with a little blur and noise."""
    frame = cv2.warpPerspective(screen, view, size, borderValue=(40, 40, 40))
    frame = cv2.GaussianBlur(frame, (3, 3), 0.6)
    noise = np.random.default_rng(1).normal(0, 2.0, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def test_layout_places_image_inside_marker_bands():
    lay = MonitorLayout()
    s, x0, y0 = lay.image_placement(250, 250)
    assert x0 >= lay.band and y0 >= lay.band - 1e-9
    assert y0 + 250 * s <= lay.screen_h - lay.band + 1e-9
    assert set(lay.marker_corners()) == {0, 1, 2, 3}


def test_round_trip_through_a_tilted_camera():
    lay = MonitorLayout()
    img = _photo()
    screen = compose_screen(img, lay)
    src = np.float32([[0, 0], [1920, 0], [1920, 1080], [0, 1080]])
    dst = np.float32([[140, 60], [1150, 95], [1120, 660], [170, 700]])
    view = cv2.getPerspectiveTransform(src, dst)
    frame = _camera(screen, view)
    h = find_screen_homography(frame, lay)
    # the found homography matches the true one at the image centre to within a pixel
    c = np.array([960.0, 540.0, 1.0])
    p_true, p_found = view @ c, h @ c
    assert np.allclose(p_true[:2] / p_true[2], p_found[:2] / p_found[2], atol=1.0)
    back = frame_to_image(frame, h, lay, img.shape[1], img.shape[0])
    assert back.shape == img.shape
    assert psnr(img, back) > 24.0
    # and a wrong image does not match
    assert psnr(_photo(5), back) < 15.0


def test_missing_markers_is_a_clear_error():
    lay = MonitorLayout()
    blank = np.full((720, 1280, 3), 128, np.uint8)
    with pytest.raises(InputError, match="fiducial markers"):
        find_screen_homography(blank, lay)
