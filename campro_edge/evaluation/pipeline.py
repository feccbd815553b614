"""From frames to metrics: the measurement core of `campro-edge verify`.

Input: the raw images and, in the same order and image coordinates, what the camera produced
for them (stock-IQ and CamPro-IQ frames), the enhancer's output and optionally the restoration
attacker's output. Output: an `EvaluationResult` (written as metrics.json) with

1. the ISP-applied check (CamPro frame predicted from the stock frame; needs stock frames and
   both hardware ISPs);
2. privacy: closed-set identification (gallery = raw `_0001`, probes = each image type), the
   face detection rate per type and the verification ROC (TAR at FAR 0.1%, 1%, 10%);
3. utility: person detection on raw vs each type of scene frame;
4. image quality: RMSE, PSNR, SSIM, MS-SSIM of each type vs raw (faces and scenes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from campro_edge.evaluation import quality
from campro_edge.evaluation.detection import summarize
from campro_edge.evaluation.face import EmbedPool
from campro_edge.evaluation.identification import identify, verification_roc
from campro_edge.evaluation.isp_check import IspCheckResult, check_isp
from campro_edge.evaluation.person import PersonDetector
from campro_edge.evaluation.thresholds import Thresholds
from campro_edge.isp.hardware import HardwareIsp

#: image types in report order; "raw" is the reference
TYPES = ("raw", "stock", "captured", "enhanced", "restored")
FARS = (1e-3, 1e-2, 1e-1)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class FrameSet:
    """Images of one kind of input (faces or scenes) and their frames, index-aligned."""

    names: list[str]
    raw: list[np.ndarray]
    frames: dict[str, list[np.ndarray]] = field(default_factory=dict)  # type -> images
    identities: list[str] | None = None  # faces only
    is_gallery: list[bool] | None = None  # faces only
    #: type -> which images count for that type (e.g. restored: only held-out identities)
    masks: dict[str, list[bool]] = field(default_factory=dict)

    def counts(self, t: str, i: int) -> bool:
        m = self.masks.get(t)
        return True if m is None else bool(m[i])

    def __post_init__(self) -> None:
        for t, imgs in self.frames.items():
            if t not in TYPES or t == "raw":
                raise ValueError(f"unknown image type {t!r}")
            if len(imgs) != len(self.raw):
                raise ValueError(f"{t}: {len(imgs)} frames for {len(self.raw)} images")
        for t, m in self.masks.items():
            if len(m) != len(self.raw):
                raise ValueError(f"mask {t}: {len(m)} flags for {len(self.raw)} images")


class PrivacyMetrics(BaseModel):
    top1: float
    top1_detected: float | None
    face_detection_rate: float
    n_probes: int
    tar_at_far: dict[str, float]
    roc_auc: float
    roc_far: list[float]
    roc_tar: list[float]


class UtilityMetrics(BaseModel):
    n_images: int
    images_with_person: int
    detection_rate: float
    n_boxes: int
    rate_ratio: float | None = None
    recall_vs_raw: float | None = None
    precision_vs_raw: float | None = None
    f1_vs_raw: float | None = None


class QualityMetrics(BaseModel):
    n_images: int
    rmse: float
    psnr: float  # mean over images of finite values; inf if all identical
    ssim: float
    ms_ssim: float


class Check(BaseModel):
    name: str
    value: float | None
    threshold: float | None
    op: str  # "<=" or ">="
    status: str  # "pass" | "fail" | "skipped"
    message: str


class EvaluationResult(BaseModel):
    isp_check: IspCheckResult | None = None
    privacy: dict[str, PrivacyMetrics] = {}
    utility: dict[str, UtilityMetrics] = {}
    quality_faces: dict[str, QualityMetrics] = {}
    quality_scenes: dict[str, QualityMetrics] = {}
    quality_error_hist: dict[str, list[int]] = {}
    quality_error_edges: list[float] = []
    checks: list[Check] = []
    passed: bool = True
    info: dict[str, str] = {}


def _downsample_roc(far: np.ndarray, tar: np.ndarray, n: int = 200) -> tuple[list, list]:
    if len(far) <= n:
        return far.tolist(), tar.tolist()
    # keep points spread evenly in log(FAR)
    grid = np.logspace(-5, 0, n)
    idx = np.unique(np.clip(np.searchsorted(far, grid, side="right") - 1, 0, len(far) - 1))
    return far[idx].tolist(), tar[idx].tolist()


def privacy_metrics(pool: EmbedPool, faces: FrameSet, progress: Progress | None = None,
                    ) -> dict[str, PrivacyMetrics]:
    if faces.identities is None or faces.is_gallery is None:
        raise ValueError("faces need identities and gallery flags")
    gal = [i for i, g in enumerate(faces.is_gallery) if g]
    prb = [i for i, g in enumerate(faces.is_gallery) if not g]
    if not gal or not prb:
        raise ValueError("faces need gallery and probe images")
    nan = np.full(128, np.nan, np.float32)

    def embed(stage: str, imgs: list[np.ndarray]) -> tuple[np.ndarray, list[bool]]:
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if progress:
                progress(stage, done[0], len(imgs))

        res = pool.embed(imgs, progress=tick)
        emb = np.stack([r.embedding if r.embedding is not None else nan for r in res])
        return emb, [r.detected for r in res]

    g_emb, _ = embed("faces: gallery", [faces.raw[i] for i in gal])
    g_lab = [faces.identities[i] for i in gal]
    out: dict[str, PrivacyMetrics] = {}
    sources = {"raw": faces.raw, **faces.frames}
    for t in TYPES:
        if t not in sources:
            continue
        use = [i for i in prb if faces.counts(t, i)]
        if not use:
            continue
        labels = [faces.identities[i] for i in use]
        emb, det = embed(f"faces: {t}", [sources[t][i] for i in use])
        ident = identify(g_emb, g_lab, emb, labels)
        roc = verification_roc(g_emb, g_lab, emb, labels)
        far, tar = _downsample_roc(roc.far, roc.tar)
        out[t] = PrivacyMetrics(
            top1=ident.top1,
            top1_detected=None if math.isnan(ident.top1_detected) else ident.top1_detected,
            face_detection_rate=sum(det) / len(det),
            n_probes=len(use),
            tar_at_far={f"{f:g}": roc.tar_at_far(f) for f in FARS},
            roc_auc=roc.auc(),
            roc_far=far,
            roc_tar=tar,
        )
    return out


def utility_metrics(detector: PersonDetector, scenes: FrameSet,
                    progress: Progress | None = None) -> dict[str, UtilityMetrics]:
    sources = {"raw": scenes.raw, **scenes.frames}
    boxes: dict[str, list] = {}
    for t in TYPES:
        if t not in sources:
            continue
        boxes[t] = []
        for k, img in enumerate(sources[t]):
            boxes[t].append(detector.detect(img))
            if progress:
                progress(f"scenes: people in {t}", k + 1, len(sources[t]))
    out = {}
    for t, b in boxes.items():
        s = summarize(b, None if t == "raw" else boxes["raw"])
        out[t] = UtilityMetrics(
            n_images=s.n_images, images_with_person=s.images_with_person,
            detection_rate=s.detection_rate, n_boxes=s.n_boxes, rate_ratio=s.rate_ratio,
            recall_vs_raw=s.recall_vs_raw, precision_vs_raw=s.precision_vs_raw,
            f1_vs_raw=s.f1_vs_raw,
        )
    return out


def _mean_finite(vals: list[float]) -> float:
    finite = [v for v in vals if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.inf


def quality_metrics(fs: FrameSet, edges: np.ndarray,
                    hist: dict[str, np.ndarray] | None = None) -> dict[str, QualityMetrics]:
    out = {}
    for t, all_imgs in fs.frames.items():
        keep = [k for k in range(len(fs.raw)) if fs.counts(t, k)]
        if not keep:
            continue
        raws = [fs.raw[k] for k in keep]
        imgs = [all_imgs[k] for k in keep]
        vals = [quality.quality_all(r, x) for r, x in zip(raws, imgs, strict=True)]
        if hist is not None:
            h = hist.setdefault(t, np.zeros(len(edges) - 1, np.int64))
            for r, x in zip(raws, imgs, strict=True):
                h += np.histogram(quality.abs_error_levels(r, x), bins=edges)[0]
        out[t] = QualityMetrics(
            n_images=len(vals),
            rmse=float(np.mean([v["rmse"] for v in vals])),
            psnr=_mean_finite([v["psnr"] for v in vals]),
            ssim=float(np.mean([v["ssim"] for v in vals])),
            ms_ssim=float(np.mean([v["ms_ssim"] for v in vals])),
        )
    return out


def _check(name: str, value: float | None, threshold: float | None, op: str) -> Check:
    if threshold is None:
        return Check(name=name, value=value, threshold=None, op=op, status="skipped",
                     message="no threshold configured (reported only)")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Check(name=name, value=None, threshold=threshold, op=op, status="skipped",
                     message="not measured in this run")
    ok = value <= threshold if op == "<=" else value >= threshold
    return Check(name=name, value=value, threshold=threshold, op=op,
                 status="pass" if ok else "fail",
                 message=f"{value:.4g} {op} {threshold:.4g}" if ok
                 else f"{value:.4g} is not {op} {threshold:.4g}")


def apply_thresholds(res: EvaluationResult, th: Thresholds) -> None:
    p, u, q = res.privacy, res.utility, res.quality_scenes

    def get(d: dict, k: str, attr: str) -> float | None:
        return getattr(d[k], attr) if k in d else None

    res.checks = [
        _check("isp_applied_mean_error", res.isp_check.mean_error if res.isp_check else None,
               th.isp_mean_error_max, "<="),
        _check("raw_top1", get(p, "raw", "top1"), th.raw_top1_min, ">="),
        _check("captured_top1", get(p, "captured", "top1"), th.captured_top1_max, "<="),
        _check("enhanced_top1", get(p, "enhanced", "top1"), th.enhanced_top1_max, "<="),
        _check("restored_top1", get(p, "restored", "top1"), th.restored_top1_max, "<="),
        _check("enhanced_detection_ratio", get(u, "enhanced", "rate_ratio"),
               th.detection_ratio_min, ">="),
        _check("enhanced_psnr", get(q, "enhanced", "psnr"), th.enhanced_psnr_min, ">="),
    ]
    res.passed = all(c.status != "fail" for c in res.checks)


def evaluate(
    faces: FrameSet | None,
    scenes: FrameSet | None,
    thresholds: Thresholds,
    stock_hw: HardwareIsp | None = None,
    campro_hw: HardwareIsp | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    res = EvaluationResult()
    stock, captured = [], []
    for fs in (faces, scenes):
        if fs is not None and "stock" in fs.frames and "captured" in fs.frames:
            stock += fs.frames["stock"]
            captured += fs.frames["captured"]
    if stock and stock_hw is not None and campro_hw is not None:
        res.isp_check = check_isp(stock, captured, stock_hw, campro_hw)
    edges = np.linspace(0, 256, 65)
    hist: dict[str, np.ndarray] = {}
    if faces is not None:
        with EmbedPool(workers) as pool:
            res.privacy = privacy_metrics(pool, faces, progress)
        res.quality_faces = quality_metrics(faces, edges, hist)
    if scenes is not None:
        res.utility = utility_metrics(PersonDetector(), scenes, progress)
        res.quality_scenes = quality_metrics(scenes, edges, hist)
    res.quality_error_edges = edges.tolist()
    res.quality_error_hist = {t: h.tolist() for t, h in hist.items()}
    apply_thresholds(res, thresholds)
    return res
