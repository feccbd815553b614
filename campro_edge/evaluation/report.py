"""The verify report: `report.html` (offline, self-contained), `metrics.json`, `junit.xml`."""

from __future__ import annotations

import base64
import json
import math
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import cv2
import numpy as np

from campro_edge.evaluation import svg
from campro_edge.evaluation.pipeline import TYPES, EvaluationResult, FrameSet

#: the paper's real-world (E3) figures, for side-by-side display
PAPER_E3 = {
    "raw_top1": 0.959, "captured_top1": 0.0013, "enhanced_top1": 0.0028,
    "person_ap": 0.648, "rmse": 0.129, "psnr": 17.9, "ssim": 0.622,
}


def thumbnail_b64(rgb: np.ndarray, long_side: int = 160) -> str:
    img = np.asarray(rgb, dtype=np.uint8)
    h, w = img.shape[:2]
    f = long_side / max(h, w)
    if f < 1:
        img = cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))),
                         interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def _pct(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "&ndash;"
    return f"{100 * v:.2f}%" if 0 < v < 0.01 else f"{100 * v:.1f}%"


def _num(v: float | None, fmt: str = ".3f") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "&ndash;"
    return "inf" if math.isinf(v) else format(v, fmt)


def _table(head: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{c}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def _thumbs(fs: FrameSet | None, indices: list[int], title: str) -> str:
    if fs is None or not indices:
        return ""
    types = ["raw"] + [t for t in TYPES if t in fs.frames]
    rows = []
    for i in indices:
        cells = []
        for t in types:
            img = fs.raw[i] if t == "raw" else fs.frames[t][i]
            cells.append(f'<img src="{thumbnail_b64(img)}" alt="{escape(t)}">')
        rows.append([escape(fs.names[i])] + cells)
    return f"<h3>{escape(title)}</h3>" + _table(["image"] + types, rows)


CSS = """
body{font-family:sans-serif;margin:24px;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:8px 0 18px}td,th{border:1px solid #bbb;padding:4px 8px;
text-align:right}th{background:#eee}td:first-child{text-align:left}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}.skipped{color:#777}
.plots{display:flex;flex-wrap:wrap;gap:16px}img{display:block}
"""


def render_html(res: EvaluationResult, faces: FrameSet | None, scenes: FrameSet | None,
                title: str = "campro-edge verify", n_thumbs: int = 6) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>"]
    verdict = "PASS" if res.passed else "FAIL"
    parts.append(f"<p class='{'pass' if res.passed else 'fail'}'>Overall: {verdict}</p>")
    if res.info:
        parts.append(_table(["", ""], [[escape(k), escape(v)] for k, v in res.info.items()]))
    parts.append("<h2>Checks</h2>")
    parts.append(_table(
        ["check", "value", "threshold", "status", "detail"],
        [[escape(c.name), _num(c.value, ".4g"),
          "&ndash;" if c.threshold is None else f"{escape(c.op)} {c.threshold:g}",
          f"<span class='{c.status}'>{c.status}</span>", escape(c.message)] for c in res.checks],
    ))
    if res.isp_check:
        ic = res.isp_check
        parts.append("<h2>1. ISP applied</h2><p>CamPro frame predicted from the stock frame "
                     "(stock gamma and CCM undone, CamPro hardware model applied) vs the real "
                     f"CamPro frame; {ic.frames} frames, {ic.pixels_used} unsaturated pixels "
                     f"of {ic.pixels_total}. Errors in 8-bit levels.</p>")
        parts.append(_table(["channel", "mean", "p99", "max"],
                            [[k, _num(v.mean, ".2f"), _num(v.p99, ".1f"), _num(v.max, ".0f")]
                             for k, v in ic.per_channel.items()]))
        parts.append(svg.histogram([("|predicted - captured|", ic.histogram_counts)],
                                   ic.histogram_edges, "absolute error (8-bit levels)"))
    if res.privacy:
        parts.append("<h2>2. Privacy: face identification (dlib ResNet, 5-point alignment)</h2>"
                     "<p>Gallery: raw <code>_0001</code> image of each identity; probes: the "
                     "others, as each image type. A probe with no detected face counts as a "
                     "miss (top-1); <i>top-1 detected</i> only counts probes with a face.</p>")
        rows = []
        for t, m in res.privacy.items():
            rows.append([t, _pct(m.top1), _pct(m.top1_detected), _pct(m.face_detection_rate),
                         str(m.n_probes)] + [_pct(v) for v in m.tar_at_far.values()]
                        + [_num(m.roc_auc)])
        far_head = [f"TAR@FAR {k}" for k in next(iter(res.privacy.values())).tar_at_far]
        parts.append(_table(["type", "top-1", "top-1 detected", "face detection", "probes",
                             *far_head, "ROC AUC"], rows))
        parts.append("<div class='plots'>" + svg.line_plot(
            [(t, m.roc_far, m.roc_tar) for t, m in res.privacy.items()],
            "false accept rate", "true accept rate", log_x=True, x_min=1e-4) + "</div>")
    if res.utility:
        parts.append("<h2>3. Utility: person detection (OpenCV HOG people detector)</h2>"
                     "<p>Reference: the raw image's detections; boxes matched at IoU &ge; 0.5."
                     "</p>")
        parts.append(_table(
            ["type", "images with person", "detection rate", "rate / raw", "boxes",
             "recall vs raw", "precision vs raw"],
            [[t, f"{m.images_with_person}/{m.n_images}", _pct(m.detection_rate),
              _pct(m.rate_ratio), str(m.n_boxes), _pct(m.recall_vs_raw),
              _pct(m.precision_vs_raw)] for t, m in res.utility.items()]))
    for label, qd in (("faces", res.quality_faces), ("scenes", res.quality_scenes)):
        if qd:
            parts.append(f"<h2>4. Image quality vs raw ({label})</h2>")
            parts.append(_table(["type", "images", "RMSE", "PSNR dB", "SSIM", "MS-SSIM"],
                                [[t, str(m.n_images), _num(m.rmse), _num(m.psnr, ".2f"),
                                  _num(m.ssim), _num(m.ms_ssim)] for t, m in qd.items()]))
    if res.quality_error_hist:
        parts.append("<div class='plots'>" + svg.histogram(
            list(res.quality_error_hist.items()), res.quality_error_edges,
            "|frame - raw| (8-bit levels)") + "</div>")
    parts.append("<h2>Paper's real-world evaluation (E3, IMX415 + RV1126), for comparison</h2>")
    parts.append(_table(["raw top-1", "captured top-1", "enhanced top-1", "person AP (YOLOv5)",
                         "RMSE", "PSNR", "SSIM"],
                        [[_pct(PAPER_E3["raw_top1"]), _pct(PAPER_E3["captured_top1"]),
                          _pct(PAPER_E3["enhanced_top1"]), f"{PAPER_E3['person_ap']}",
                          f"{PAPER_E3['rmse']}", f"{PAPER_E3['psnr']}", f"{PAPER_E3['ssim']}"]]))
    parts.append("<h2>Examples</h2>")
    if faces is not None and faces.is_gallery is not None:
        probes = [i for i, g in enumerate(faces.is_gallery) if not g]
        step = max(1, len(probes) // n_thumbs)
        parts.append(_thumbs(faces, probes[::step][:n_thumbs], "faces (probes)"))
    if scenes is not None:
        step = max(1, len(scenes.raw) // n_thumbs)
        parts.append(_thumbs(scenes, list(range(0, len(scenes.raw), step))[:n_thumbs], "scenes"))
    parts.append("</body></html>")
    return "\n".join(parts)


def metrics_json(res: EvaluationResult) -> str:
    data = res.model_dump(mode="python")
    data["paper_e3"] = PAPER_E3

    def clean(x: object) -> object:
        if isinstance(x, float) and not math.isfinite(x):
            return "inf" if x > 0 else ("-inf" if x < 0 else "nan")
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(data), indent=2) + "\n"


def junit_xml(res: EvaluationResult, suite: str = "campro-edge.verify") -> str:
    failures = sum(c.status == "fail" for c in res.checks)
    skipped = sum(c.status == "skipped" for c in res.checks)
    root = ET.Element("testsuites")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(res.checks)),
                       failures=str(failures), skipped=str(skipped), errors="0")
    for c in res.checks:
        tc = ET.SubElement(ts, "testcase", classname=suite, name=c.name)
        if c.status == "fail":
            ET.SubElement(tc, "failure", message=c.message).text = c.message
        elif c.status == "skipped":
            ET.SubElement(tc, "skipped", message=c.message)
        else:
            ET.SubElement(tc, "system-out").text = c.message
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_report(out_dir: Path, res: EvaluationResult, faces: FrameSet | None,
                 scenes: FrameSet | None, title: str = "campro-edge verify") -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"html": out_dir / "report.html", "metrics": out_dir / "metrics.json",
             "junit": out_dir / "junit.xml"}
    paths["html"].write_text(render_html(res, faces, scenes, title), encoding="utf-8")
    paths["metrics"].write_text(metrics_json(res), encoding="utf-8")
    paths["junit"].write_text(junit_xml(res), encoding="utf-8")
    return paths
