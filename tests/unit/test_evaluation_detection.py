"""Person-detection metrics and the HOG detector."""

from __future__ import annotations

import pytest

from campro_edge.evaluation.detection import match_boxes, summarize
from campro_edge.evaluation.person import PersonDetector, iou, nms


def test_iou_hand_cases():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)


def test_nms_keeps_best_of_overlaps():
    boxes = [(0, 0, 10, 10), (1, 0, 11, 10), (50, 50, 60, 60)]
    assert nms(boxes, [0.5, 0.9, 0.1], 0.45) == [1, 2]


def test_match_boxes_is_one_to_one():
    ref = [(0, 0, 10, 10)]
    assert match_boxes(ref, [(0, 0, 10, 10), (1, 0, 11, 10)]) == 1
    assert match_boxes(ref, [(30, 30, 40, 40)]) == 0


def test_summary_against_reference():
    ref = [[(0, 0, 10, 10)], [], [(0, 0, 10, 10), (20, 0, 30, 10)], []]
    test = [[(0, 0, 10, 10)], [(5, 5, 9, 9)], [], []]
    s = summarize(test, ref)
    assert s.detection_rate == 0.5
    assert s.matched == 1
    assert s.recall_vs_raw == pytest.approx(1 / 3)
    assert s.precision_vs_raw == pytest.approx(1 / 2)
    assert s.image_agreement == pytest.approx(2 / 4)  # images 0 and 3 agree
    assert s.rate_ratio == pytest.approx(0.5 / 0.5)
    same = summarize(ref, ref)
    assert same.recall_vs_raw == 1.0 and same.f1_vs_raw == 1.0


def test_hog_finds_people_in_a_real_scene(shared_scenes_dir):
    from campro_edge.evaluation.datasets import read_rgb

    det = PersonDetector()
    img = read_rgb(shared_scenes_dir / "yolov5_bus.jpg")
    boxes = det.detect(img)
    assert boxes, "HOG found nobody in the bus scene"
    h, w = img.shape[:2]
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= w + 16 and 0 <= y0 < y1 <= h + 16
    # a flat grey image has no people
    assert det.detect(img * 0 + 128) == []
