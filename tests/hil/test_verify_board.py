"""Capture-and-verify on a board (simulated by default): the CamPro ISP is really applied and
privacy/utility are measured on frames the board produced."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from campro_edge.cli import main
from campro_edge.evaluation.isp_check import check_isp
from campro_edge.ops.verify_board import BoardVerifyTarget

pytestmark = [pytest.mark.hil, pytest.mark.slow]


def small_thresholds(tmp_path: Path) -> Path:
    p = tmp_path / "thresholds.json"
    p.write_text(json.dumps({"isp_mean_error_max": 12, "raw_top1_min": 0.7,
                             "captured_top1_max": 0.2, "detection_ratio_min": None}))
    return p


def test_verify_on_board_small(hil_target, repo: Path, shared_faces_dir: Path,
                               tmp_path: Path) -> None:
    out = tmp_path / "report"
    rc = main([
        "verify", str(repo / "examples" / "isp.json"), "--board", hil_target.board,
        "--host", hil_target.host, "--faces", str(shared_faces_dir), "--max-identities", "4",
        "--max-probes", "2", "-o", str(out), "--thresholds", str(small_thresholds(tmp_path)),
        "--capture-size", "1280x720",
    ])
    metrics = json.loads((out / "metrics.json").read_text())
    assert rc == 0, metrics
    assert (out / "report.html").exists() and (out / "junit.xml").exists()
    text = json.dumps(metrics)
    assert "isp_applied" in text


def _capture_pair(hil_target, repo: Path, faces: list[np.ndarray]) -> tuple[list, list, object]:
    t = BoardVerifyTarget(hil_target.board, hil_target.host, repo / "examples" / "isp.json",
                          frame_size=(1280, 720))
    t.check_start()
    try:
        with t.source() as src:
            t.set_phase("stock")
            stock = src.frames(faces, [str(i) for i in range(len(faces))], "stock")
            t.set_phase("campro")
            campro = src.frames(faces, [str(i) for i in range(len(faces))], "campro")
    finally:
        t.restore()
    return stock, campro, t


def test_isp_check_tells_right_iq_from_wrong(hil_target, repo: Path,
                                            shared_faces_dir: Path) -> None:
    from campro_edge.images import find_images, read_rgb

    faces = [read_rgb(p) for p in find_images([shared_faces_dir])[:6]]
    stock, campro, t = _capture_pair(hil_target, repo, faces)
    right = check_isp(stock, campro, t.stock_hw, t.campro_isp_hw)
    # claiming CamPro while the board ran its stock IQ must fail the same check
    wrong = check_isp(stock, stock, t.stock_hw, t.campro_isp_hw)
    assert right.mean_error < 12, right
    assert wrong.mean_error > 3 * right.mean_error and wrong.mean_error > 12, wrong
