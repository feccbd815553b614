"""Frame sources: folder, model, monitor (synthetic camera), and the verify command's errors."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from campro_edge.errors import InputError
from campro_edge.evaluation.datasets import write_rgb
from campro_edge.evaluation.quality import psnr
from campro_edge.evaluation.sources import FolderSource, ModelSource, MonitorSource
from campro_edge.ops.verify import neutral_stock


def _img(seed=0, w=200, h=150):
    small = np.random.default_rng(seed).integers(0, 256, (h // 10, w // 10, 3), dtype=np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def test_folder_source_reads_and_resizes(tmp_path):
    img = _img()
    write_rgb(tmp_path / "campro" / "faces" / "A" / "A_0002.png", cv2.resize(img, (400, 300)))
    src = FolderSource(tmp_path)
    out = src.frame(img, "faces/A/A_0002.jpg", "campro")
    assert out.shape == img.shape
    assert psnr(img, out) > 30
    with pytest.raises(InputError, match="no stock frame"):
        src.frame(img, "faces/A/A_0002.jpg", "stock")


def test_model_source_matches_hardware_model_and_handles_odd_sizes():
    hw = neutral_stock()
    src = ModelSource(hw, hw)
    img = _img(w=201, h=151)
    out = src.frame(img, "x", "campro")
    assert out.shape == img.shape and out.dtype == np.uint8
    assert psnr(img, out) > 30  # neutral ISP ~ identity, NV12 costs a little


def test_monitor_source_finds_markers_once_and_maps_back():
    view = cv2.getPerspectiveTransform(
        np.float32([[0, 0], [1920, 0], [1920, 1080], [0, 1080]]),
        np.float32([[100, 50], [1180, 80], [1150, 680], [120, 700]]))
    shown: list[np.ndarray] = []

    def show(screen):
        shown.append(screen)

    def grab():
        return cv2.warpPerspective(shown[-1], view, (1280, 720), borderValue=(30, 30, 30))

    src = MonitorSource(show, grab, "synthetic monitor")
    img = _img(3)
    with pytest.raises(InputError, match="stock-IQ frame first"):
        MonitorSource(show, grab, "x").frame(img, "k", "campro")
    out = src.frame(img, "k", "stock")
    assert src.homography is not None
    assert psnr(img, out) > 24
    h_before = src.homography.copy()
    src.frame(img, "k", "campro")
    assert np.array_equal(h_before, src.homography)  # camera fixed: markers found once


def test_verify_on_board_checks_input_before_touching_the_board(tmp_path, capsys):
    from campro_edge.cli import main

    params = tmp_path / "isp.json"
    params.write_text('{"ccm": [[1,0,0],[0,1,0],[0,0,1]], "gamma": [0, 1]}')
    faces = tmp_path / "faces"
    faces.mkdir()
    rc = main(["verify", str(params), "--faces", str(faces), "-o", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ") and err.count("\n") == 1
