"""Person-detection utility metrics: detection rate and agreement with the raw detections.

No ground-truth boxes exist for the scenes, so the raw image's detections (same detector) are
the reference: a processed image keeps utility when the detector still fires on it and finds
the same people (boxes matched greedily at IoU >= 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from campro_edge.evaluation.person import Box, iou


def match_boxes(reference: Sequence[Box], test: Sequence[Box], min_iou: float = 0.5) -> int:
    """Number of one-to-one matches between two box lists (greedy by IoU)."""
    pairs = sorted(
        ((iou(r, t), i, j) for i, r in enumerate(reference) for j, t in enumerate(test)),
        reverse=True,
    )
    used_r: set[int] = set()
    used_t: set[int] = set()
    n = 0
    for v, i, j in pairs:
        if v < min_iou:
            break
        if i in used_r or j in used_t:
            continue
        used_r.add(i)
        used_t.add(j)
        n += 1
    return n


@dataclass(frozen=True)
class DetectionSummary:
    n_images: int
    images_with_person: int  # images where the detector fired at least once
    detection_rate: float  # images_with_person / n_images
    n_boxes: int
    # agreement with the reference (raw) detections; None for the raw images themselves
    matched: int | None = None
    recall_vs_raw: float | None = None  # matched / raw boxes
    precision_vs_raw: float | None = None  # matched / test boxes
    f1_vs_raw: float | None = None
    image_agreement: float | None = None  # images where (raw fired) == (test fired)
    rate_ratio: float | None = None  # detection_rate / raw detection_rate


def summarize(
    boxes: Sequence[Sequence[Box]], reference: Sequence[Sequence[Box]] | None = None,
    min_iou: float = 0.5,
) -> DetectionSummary:
    n = len(boxes)
    fired = [len(b) > 0 for b in boxes]
    rate = sum(fired) / n if n else float("nan")
    total = sum(len(b) for b in boxes)
    if reference is None:
        return DetectionSummary(n, sum(fired), rate, total)
    if len(reference) != n:
        raise ValueError("reference and test differ in number of images")
    matched = sum(match_boxes(r, t, min_iou) for r, t in zip(reference, boxes, strict=True))
    ref_total = sum(len(b) for b in reference)
    recall = matched / ref_total if ref_total else float("nan")
    precision = matched / total if total else float("nan")
    f1 = 2 * matched / (ref_total + total) if ref_total + total else float("nan")
    ref_fired = [len(b) > 0 for b in reference]
    agree = sum(a == b for a, b in zip(ref_fired, fired, strict=True)) / n if n else float("nan")
    ref_rate = sum(ref_fired) / n if n else float("nan")
    ratio = rate / ref_rate if ref_rate else float("nan")
    return DetectionSummary(
        n, sum(fired), rate, total, matched, recall, precision, f1, agree, ratio
    )
