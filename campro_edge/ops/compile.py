"""Compile an enhancer for a board's NPU (`campro-edge compile-enhancer`).

enhancer.pt|.onnx -> ONNX at the board's input size -> rknn-toolkit2 (own virtualenv, via the
worker): uint8 RGB input with mean/std folded into the model, int8 quantisation calibrated on
images rendered through the HARDWARE ISP model (the NPU sees captured frames), an accuracy check
of the toolkit's simulator against the float ONNX model on held-out images, one retry with
automatic hybrid quantisation if below threshold, then the .rknn plus a JSON manifest.

The original RV1126 (RKNPU1) is refused up front: rknn-toolkit2 cannot build for it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from campro_edge.board.config import BoardConfig
from campro_edge.enhancer import require_torch
from campro_edge.enhancer.cost import FpsEstimate, ModelCost, estimate_fps, unet_cost
from campro_edge.enhancer.data import CaptureModel, crop_resize, split_held_out
from campro_edge.enhancer.onnx_export import export_onnx, read_onnx_info
from campro_edge.enhancer.runtime import OnnxEnhancer
from campro_edge.enhancer.spec import UNetSpec
from campro_edge.errors import InputError, ToolchainError, VerificationFailed
from campro_edge.evaluation.quality import psnr, ssim
from campro_edge.fileio import write_atomic
from campro_edge.images import find_images, read_rgb, write_rgb
from campro_edge.params import IspParams, params_from_dict
from campro_edge.toolchain import client, environment
from campro_edge.toolchain.protocol import RKNPU1_TARGETS, RKNPU2_TARGETS, BuildRequest

MEAN = [0.0, 0.0, 0.0]
STD = [255.0, 255.0, 255.0]  # uint8 RGB in, the network sees [0, 1]
MAX_DEFAULT_SIDE = 1280
SIZE_MULTIPLE = 16
MANIFEST_VERSION = 1


class QuantPlan(BaseModel):
    label: str
    algorithm: Literal["normal", "mmse", "kl_divergence"]
    auto_hybrid: bool
    cos_thresh: float = 0.98


# First plain int8; the retry uses MMSE calibration plus rknn-toolkit2's automatic hybrid
# quantisation with a strict cosine threshold. Measured here: with the toolkit's default
# threshold (0.98) auto-hybrid kept every layer int8 and changed nothing (CamPro U-Net, 1280x720);
# at 0.99999 it moves layers to float16 (docs/enhancer.md).
QUANT_PLANS = (
    QuantPlan(label="int8", algorithm="normal", auto_hybrid=False),
    QuantPlan(
        label="int8-mmse+auto-hybrid", algorithm="mmse", auto_hybrid=True, cos_thresh=0.99999
    ),
)


class AccuracyThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_psnr_db: float = 30.0  # mean over held-out images, int8 simulator vs float ONNX
    min_ssim: float = 0.95


class CompileRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    model: Path  # enhancer.pt (ours or CamPro's UNet.pt) or an exported .onnx
    board: BoardConfig
    output: Path  # .rknn (or .onnx with onnx_only)
    params: IspParams | None = None  # overrides what the model records
    images: list[Path] = []
    input_size: tuple[int, int] | None = None  # (width, height)
    calibration_images: int = Field(16, ge=1)
    eval_images: int = Field(4, ge=1)
    thresholds: AccuracyThresholds = AccuracyThresholds()
    allow_hybrid: bool = True
    onnx_only: bool = False
    auto_toolchain: bool = True
    keep_work: Path | None = None  # keep intermediates (calibration PNGs, ...) here


class AccuracyScores(BaseModel):
    images: int
    psnr_db_mean: float
    psnr_db_min: float
    ssim_mean: float
    ssim_min: float


class Attempt(BaseModel):
    quantization: str  # a label from QUANT_PLANS
    algorithm: str = "normal"
    auto_hybrid: bool = False
    ok: bool
    accuracy: AccuracyScores | None = None
    error: str = ""


class InputSpec(BaseModel):
    width: int
    height: int
    layout: Literal["NHWC"] = "NHWC"
    dtype: Literal["uint8"] = "uint8"
    color: Literal["RGB"] = "RGB"
    mean_values: list[float] = MEAN
    std_values: list[float] = STD


class Manifest(BaseModel):
    schema_version: Literal[1] = MANIFEST_VERSION
    rknn: str
    sha256: str
    size_bytes: int
    target: str
    board: str
    toolkit: str
    toolkit_version: str
    input: InputSpec
    output: dict[str, Any]
    quantization: dict[str, Any]
    accuracy: dict[str, Any]
    attempts: list[Attempt]
    model: dict[str, Any]
    cost: dict[str, Any] | None
    created_utc: str


class CompileResult(BaseModel):
    onnx: Path
    rknn: Path | None
    manifest: Path | None
    target: str
    width: int
    height: int
    cost: ModelCost | None
    fps: FpsEstimate | None
    attempts: list[Attempt] = []
    log: Path | None = None


Report = Callable[[str], None]


def rknpu1_message(board: BoardConfig) -> str:
    return (
        f"board {board.name!r} has an RKNPU1 NPU ({board.npu_target}): rknn-toolkit2 cannot "
        "compile for it and rknn-toolkit 1.x, which can, is not on PyPI, so no .rknn is made. "
        "What works: export the ONNX model and run the enhancer on the host with ONNX Runtime "
        f"(`campro-edge compile-enhancer MODEL --board {board.name} --onnx-only -o enhancer.onnx`),"
        " or compile for an RKNPU2 board such as `--board rv1126b`."
    )


def check_target(board: BoardConfig, onnx_only: bool) -> None:
    if onnx_only:
        return
    if board.npu_target in RKNPU1_TARGETS:
        raise ToolchainError(rknpu1_message(board))
    if board.npu_target not in RKNPU2_TARGETS:
        known = ", ".join(RKNPU2_TARGETS)
        raise ToolchainError(
            f"board {board.name!r}: rknn-toolkit2 has no target {board.npu_target!r} "
            f"(it builds for {known}); use --onnx-only to export ONNX for the host"
        )


def board_input_size(board: BoardConfig) -> tuple[int, int]:
    """Capture size shrunk to at most 1280 px wide (aspect kept), rounded to multiples of 16."""
    w, h = board.capture.width, board.capture.height
    scale = min(1.0, MAX_DEFAULT_SIDE / max(w, h))
    w16 = max(SIZE_MULTIPLE, int(round(w * scale)) // SIZE_MULTIPLE * SIZE_MULTIPLE)
    h16 = max(SIZE_MULTIPLE, int(round(h * scale)) // SIZE_MULTIPLE * SIZE_MULTIPLE)
    return w16, h16


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Model(BaseModel):
    onnx: Path
    width: int
    height: int
    spec: UNetSpec | None
    params: IspParams | None
    kind: str


def _prepare_onnx(req: CompileRequest, report: Report) -> _Model:
    """Export (or take) the ONNX model at the right size; returns what is known about it."""
    suffix = req.model.suffix.lower()
    if suffix == ".onnx":
        info = read_onnx_info(req.model)
        if req.input_size and req.input_size != (info.width, info.height):
            raise InputError(
                f"{req.model} is fixed at {info.width}x{info.height}; re-export from the .pt "
                f"for {req.input_size[0]}x{req.input_size[1]}"
            )
        params = req.params or (
            params_from_dict(info.isp_params, str(req.model)) if info.isp_params else None
        )
        return _Model(
            onnx=req.model,
            width=info.width,
            height=info.height,
            spec=info.spec,
            params=params,
            kind="onnx",
        )
    if suffix not in {".pt", ".pth", ".ckpt"}:
        raise InputError(f"{req.model}: expected an enhancer .pt or an exported .onnx")
    require_torch(f"compiling {req.model.name}")
    from campro_edge.enhancer.checkpoint import load_enhancer

    loaded = load_enhancer(req.model)
    params = req.params or (
        params_from_dict(loaded.isp_params, str(req.model)) if loaded.isp_params else None
    )
    width, height = req.input_size or board_input_size(req.board)
    multiple = max(SIZE_MULTIPLE, loaded.spec.stride)
    if width % multiple or height % multiple:
        raise InputError(f"input size {width}x{height} must be multiples of {multiple}")
    onnx_path = req.output.with_suffix(".onnx")  # kept: the float model, for the host
    report(f"exporting ONNX ({loaded.spec.label()}) at {width}x{height}")
    export_onnx(
        loaded.net,
        onnx_path,
        width,
        height,
        params.model_dump(mode="json") if params else None,
    )
    return _Model(
        onnx=onnx_path,
        width=width,
        height=height,
        spec=loaded.spec,
        params=params,
        kind=loaded.kind,
    )


def _scores(sim: list[np.ndarray], ref: list[np.ndarray]) -> AccuracyScores:
    ps = [psnr(r, np.clip(s, 0.0, 1.0)) for s, r in zip(sim, ref, strict=True)]
    ss = [ssim(r, np.clip(s, 0.0, 1.0)) for s, r in zip(sim, ref, strict=True)]
    return AccuracyScores(
        images=len(ps),
        psnr_db_mean=float(np.mean(ps)),
        psnr_db_min=float(np.min(ps)),
        ssim_mean=float(np.mean(ss)),
        ssim_min=float(np.min(ss)),
    )


def _passes(acc: AccuracyScores, th: AccuracyThresholds) -> bool:
    return acc.psnr_db_mean >= th.min_psnr_db and acc.ssim_mean >= th.min_ssim


def _render_sets(
    req: CompileRequest, model: _Model, work: Path, report: Report
) -> tuple[list[str], list[str], list[np.ndarray]]:
    """Calibration PNGs and held-out simulator inputs, all rendered through the hardware model."""
    if model.params is None:
        raise InputError(
            f"{req.model} records no ISP parameters; pass --params isp.json (calibration images "
            "are rendered through the hardware ISP model with the parameters the board runs)"
        )
    paths = find_images(req.images)
    if len(paths) < 2:
        raise InputError("need at least 2 images (--images): calibration plus held-out")
    fraction = min(0.5, req.eval_images / len(paths))
    calib_paths, eval_paths = split_held_out(paths, fraction, minimum=1)
    calib_paths = calib_paths[: req.calibration_images]
    eval_paths = eval_paths[: req.eval_images]
    capture = CaptureModel(model.params)
    report(
        f"rendering {len(calib_paths)} calibration and {len(eval_paths)} held-out images "
        "through the hardware ISP model"
    )
    calib: list[str] = []
    for i, p in enumerate(calib_paths):
        frame = capture(crop_resize(read_rgb(p), model.width, model.height))
        calib.append(str(write_rgb(work / "calibration" / f"calib_{i:04d}.png", frame)))
    (work / "eval").mkdir(parents=True, exist_ok=True)
    eval_inputs: list[str] = []
    frames: list[np.ndarray] = []
    for i, p in enumerate(eval_paths):
        frame = capture(crop_resize(read_rgb(p), model.width, model.height))
        target = work / "eval" / f"eval_{i:04d}.npy"
        np.save(target, frame)
        eval_inputs.append(str(target))
        frames.append(frame)
    return calib, eval_inputs, frames


def compile_enhancer(req: CompileRequest, report: Report = lambda _m: None) -> CompileResult:
    check_target(req.board, req.onnx_only)
    if req.onnx_only and req.output.suffix.lower() != ".onnx":
        raise InputError(f"--onnx-only writes an .onnx file, not {req.output.name}")
    if not req.onnx_only and req.output.suffix.lower() != ".rknn":
        raise InputError(f"output must be an .rknn file, not {req.output.name}")
    target = req.board.npu_target
    if req.keep_work:
        req.keep_work.mkdir(parents=True, exist_ok=True)
        work_ctx: Any = _KeepDir(req.keep_work)
    else:
        work_ctx = tempfile.TemporaryDirectory(prefix="campro-compile-")
    with work_ctx as work_name:
        work = Path(work_name)
        model = _prepare_onnx(req, report)
        cost = unet_cost(model.spec, model.width, model.height) if model.spec else None
        # No NPU estimate for a target the model cannot be compiled for (e.g. rv1126).
        fps = estimate_fps(cost, target) if cost and target in RKNPU2_TARGETS else None
        if req.onnx_only:
            return CompileResult(
                onnx=model.onnx,
                rknn=None,
                manifest=None,
                target=target,
                width=model.width,
                height=model.height,
                cost=cost,
                fps=fps,
            )
        calib, eval_inputs, frames = _render_sets(req, model, work, report)
        report("running the float ONNX model on the held-out images (ONNX Runtime)")
        ort_model = OnnxEnhancer(model.onnx)
        reference = [ort_model.run(f) for f in frames]
        toolchain_dir = environment.ensure(req.auto_toolchain, report)
        log = req.output.with_suffix(".log")
        log.unlink(missing_ok=True)
        staged = work / "enhancer.rknn"
        attempts: list[Attempt] = []
        plans = QUANT_PLANS if req.allow_hybrid else QUANT_PLANS[:1]
        version = ""
        passed: Attempt | None = None
        for plan in plans:
            label = plan.label
            report(f"rknn-toolkit2: building for {target} ({label}) and running the simulator")
            build = BuildRequest(
                onnx_path=str(model.onnx),
                rknn_path=str(staged),
                target=target,
                mean_values=MEAN,
                std_values=STD,
                quantize=True,
                quantized_algorithm=plan.algorithm,
                auto_hybrid=plan.auto_hybrid,
                auto_hybrid_cos_thresh=plan.cos_thresh,
                dataset_paths=calib,
                eval_inputs=eval_inputs,
                eval_output_dir=str(work / f"sim_{len(attempts)}"),
            )
            resp = client.build(build, log, toolchain_dir)
            version = resp.toolkit_version or version
            if not resp.ok:
                attempts.append(
                    Attempt(
                        quantization=label,
                        algorithm=plan.algorithm,
                        auto_hybrid=plan.auto_hybrid,
                        ok=False,
                        error=f"{resp.stage}: {resp.error}",
                    )
                )
                report(f"  {label}: failed at {resp.stage}: {resp.error}")
                continue
            sim = [np.load(p) for p in resp.eval_outputs]
            acc = _scores(sim, reference)
            ok = _passes(acc, req.thresholds)
            attempts.append(
                Attempt(
                    quantization=label,
                    algorithm=plan.algorithm,
                    auto_hybrid=plan.auto_hybrid,
                    ok=ok,
                    accuracy=acc,
                )
            )
            report(
                f"  {label}: simulator vs float PSNR {acc.psnr_db_mean:.2f} dB "
                f"(min {acc.psnr_db_min:.2f}), SSIM {acc.ssim_mean:.4f} "
                f"(min {acc.ssim_min:.4f})"
            )
            if ok:
                passed = attempts[-1]
                break
        if passed is None:
            _fail(attempts, req.thresholds, log)
        assert passed is not None and passed.accuracy is not None
        shutil.copyfile(staged, req.output)
        manifest_path = req.output.with_suffix(".manifest.json")
        manifest = _manifest(req, model, version, passed, attempts, cost, fps)
        write_atomic(manifest_path, manifest.model_dump_json(indent=2).encode())
        return CompileResult(
            onnx=model.onnx,
            rknn=req.output,
            manifest=manifest_path,
            target=target,
            width=model.width,
            height=model.height,
            cost=cost,
            fps=fps,
            attempts=attempts,
            log=log,
        )


class _KeepDir:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> str:
        return str(self.path)

    def __exit__(self, *_: object) -> None:
        return None


def _fail(attempts: list[Attempt], th: AccuracyThresholds, log: Path) -> None:
    parts = []
    for a in attempts:
        if a.accuracy:
            parts.append(
                f"{a.quantization}: PSNR {a.accuracy.psnr_db_mean:.2f} dB, "
                f"SSIM {a.accuracy.ssim_mean:.4f}"
            )
        else:
            parts.append(f"{a.quantization}: {a.error}")
    if all(a.accuracy is None for a in attempts):
        raise ToolchainError(
            f"rknn-toolkit2 could not build the model ({'; '.join(parts)}); see {log}"
        )
    raise VerificationFailed(
        f"int8 model too far from the float model in the RKNN simulator (need PSNR >= "
        f"{th.min_psnr_db:g} dB and SSIM >= {th.min_ssim:g}): {'; '.join(parts)}; no .rknn "
        "written"
    )


def _manifest(
    req: CompileRequest,
    model: _Model,
    version: str,
    passed: Attempt,
    attempts: list[Attempt],
    cost: ModelCost | None,
    fps: FpsEstimate | None,
) -> Manifest:
    assert passed.accuracy is not None
    return Manifest(
        rknn=req.output.name,
        sha256=_sha256(req.output),
        size_bytes=req.output.stat().st_size,
        target=req.board.npu_target,
        board=req.board.name,
        toolkit="rknn-toolkit2",
        toolkit_version=version,
        input=InputSpec(width=model.width, height=model.height),
        output={
            "layout": "NCHW",
            "dtype": "float32",
            "color": "RGB",
            "range": [0.0, 1.0],
            "note": "clamped in the graph; multiply by 255 for 8-bit",
        },
        quantization={
            "dtype": "w8a8",
            "algorithm": passed.algorithm,
            "method": "channel",
            "auto_hybrid": passed.auto_hybrid,
            "calibration": "images rendered through the hardware ISP model",
        },
        accuracy={
            "reference": "float ONNX model (ONNX Runtime)",
            "where": "RKNN simulator",
            **passed.accuracy.model_dump(),
            "thresholds": req.thresholds.model_dump(),
        },
        attempts=attempts,
        model={
            "source": req.model.name,
            "source_sha256": _sha256(req.model),
            "kind": model.kind,
            "spec": model.spec.model_dump() if model.spec else None,
            "isp_params": model.params.metadata.model_dump(mode="json") if model.params else None,
        },
        cost=None
        if cost is None
        else {
            "params": cost.params,
            "macs_per_frame": cost.macs,
            "fps_estimate_upper_bound": fps.fps_upper_bound if fps else None,
            "npu_int8_tops": fps.int8_tops if fps else None,
            "note": "estimate from nominal NPU peak, not a measurement",
        },
        created_utc=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
