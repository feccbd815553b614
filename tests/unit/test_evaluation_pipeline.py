"""End to end on a few real images: frames -> metrics -> report.html / metrics.json / junit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("dlib", reason="dlib-bin is not installed (pip install 'campro-edge[eval]')")

from campro_edge.evaluation.datasets import list_faces, list_scenes, read_rgb  # noqa: E402
from campro_edge.evaluation.pipeline import FrameSet, evaluate  # noqa: E402
from campro_edge.evaluation.report import junit_xml, write_report  # noqa: E402
from campro_edge.evaluation.thresholds import Thresholds  # noqa: E402
from campro_edge.isp.constants import CODE_MAX, X45  # noqa: E402
from campro_edge.isp.hardware import HardwareIsp, render_hardware  # noqa: E402

P45 = (X45 / CODE_MAX) ** (1 / 2.2)
STOCK = HardwareIsp.from_matrix(np.eye(3), np.rint(P45 * CODE_MAX))
BLACKOUT = HardwareIsp.from_matrix(np.eye(3), np.zeros(45))  # everything black: no faces


@pytest.fixture(scope="module")
def frames(shared_faces_dir, shared_scenes_dir):
    items = list_faces(shared_faces_dir, max_identities=3, max_probes_per_identity=2)
    raw = [read_rgb(i.path) for i in items]
    faces = FrameSet(
        names=[i.key for i in items], raw=raw,
        frames={"stock": [render_hardware(STOCK, x) for x in raw],
                "captured": [render_hardware(BLACKOUT, x) for x in raw],
                "enhanced": [x.copy() for x in raw]},  # a perfect enhancer
        identities=[i.identity for i in items], is_gallery=[i.is_gallery for i in items],
    )
    sraw = [read_rgb(p) for p in list_scenes(shared_scenes_dir) if p.name == "yolov5_bus.jpg"]
    scenes = FrameSet(names=["bus"], raw=sraw,
                      frames={"captured": [render_hardware(BLACKOUT, x) for x in sraw],
                              "enhanced": [x.copy() for x in sraw]})
    return faces, scenes


def test_metrics_and_report(frames, tmp_path):
    faces, scenes = frames
    res = evaluate(faces, scenes, Thresholds(), workers=1)
    p = res.privacy
    assert p["raw"].top1 == 1.0 and p["enhanced"].top1 == 1.0  # identical images
    assert p["captured"].top1 == 0.0 and p["captured"].face_detection_rate == 0.0
    assert p["stock"].top1 >= 0.5  # identity CCM + 1/2.2: close to raw
    assert res.quality_faces["enhanced"].psnr == float("inf")
    assert res.quality_faces["enhanced"].ssim == pytest.approx(1.0)
    assert res.utility["enhanced"].rate_ratio == 1.0
    assert res.utility["captured"].detection_rate == 0.0
    status = {c.name: c.status for c in res.checks}
    assert status["captured_top1"] == "pass"
    assert status["enhanced_detection_ratio"] == "pass"
    assert status["isp_applied_mean_error"] == "skipped"  # no hardware models given
    assert res.passed

    paths = write_report(tmp_path, res, faces, scenes)
    html = paths["html"].read_text()
    assert "<svg" in html and "data:image/jpeg;base64," in html and "http" not in html.split(
        "<body>")[1].replace("http://www.w3.org/2000/svg", "")
    data = json.loads(paths["metrics"].read_text())
    assert data["privacy"]["raw"]["top1"] == 1.0
    assert data["quality_faces"]["enhanced"]["psnr"] == "inf"
    suite = ET.parse(paths["junit"]).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"


def test_failing_threshold_fails_the_run(frames):
    faces, _ = frames
    res = evaluate(faces, None, Thresholds(enhanced_top1_max=0.05), workers=1)
    assert not res.passed
    assert [c.name for c in res.checks if c.status == "fail"] == ["enhanced_top1"]
    root = ET.fromstring(junit_xml(res))
    assert root.find("testsuite").get("failures") == "1"
