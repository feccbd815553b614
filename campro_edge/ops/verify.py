"""`verify`: capture every evaluation image with the stock and the CamPro IQ, measure, report.

The frame source decides where frames come from (see `campro_edge.evaluation.sources`); board
sources push and restore the IQ around the captures (the board is left as it was found). After
the frames are in image coordinates, `campro_edge.evaluation.pipeline.evaluate` measures and
`campro_edge.evaluation.report.write_report` writes report.html, metrics.json and junit.xml.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from campro_edge.errors import InputError, VerificationFailed
from campro_edge.evaluation.datasets import FaceItem, list_faces, list_scenes, read_rgb
from campro_edge.evaluation.pipeline import EvaluationResult, FrameSet, evaluate
from campro_edge.evaluation.report import write_report
from campro_edge.evaluation.sources import FrameSource, Phase
from campro_edge.evaluation.thresholds import Thresholds
from campro_edge.isp.constants import CODE_MAX, X45
from campro_edge.isp.hardware import HardwareIsp, fit_hardware, render_hardware

Progress = Callable[[str, int, int], None]


class VerifyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    faces: Path
    scenes: Path | None = None
    out_dir: Path
    max_identities: int | None = Field(None, ge=1)
    max_probes: int | None = Field(None, ge=1, description="probes per identity")
    scene_long_side: int = Field(640, ge=64, description="scenes are shrunk to this long side")
    #: ONNX enhancer, or Path("lut") for the per-pixel LUT stand-in; None: no "enhanced" frames
    enhancer: Path | None = None
    attack_steps: int = Field(0, ge=0, description="U-Net restoration attack steps (0: skip)")
    workers: int | None = None
    seed: int = 0


def neutral_stock() -> HardwareIsp:
    """Stand-in stock ISP when none is known: identity CCM, x ** (1/2.2) gamma."""
    return HardwareIsp.from_matrix(np.eye(3), np.rint((X45 / CODE_MAX) ** (1 / 2.2) * CODE_MAX))


def stock_from_iq(path: Path) -> HardwareIsp:
    from campro_edge.iq.rkaiq_xml import read_isp_config

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read stock IQ file ({exc.strerror})") from None
    return read_isp_config(data, str(path)).hardware((1.0, 1.0))


def _shrink(img: np.ndarray, long_side: int) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    f = long_side / max(h, w)
    if f >= 1:
        return img
    return cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)


def _capture(source: FrameSource, keys: list[str], raw: list[np.ndarray], phase: Phase,
             progress: Progress | None) -> list[np.ndarray]:
    batch = getattr(source, "frames", None)
    if batch is not None:
        def done(n: int) -> None:
            if progress:
                progress(f"capture {phase}", n, len(raw))

        return batch(raw, keys, phase, done)
    out = []
    for k, (key, img) in enumerate(zip(keys, raw, strict=True)):
        out.append(source.frame(img, key, phase))
        if progress:
            progress(f"capture {phase}", k + 1, len(raw))
    return out


def collect(opts: VerifyOptions, source: FrameSource,
            progress: Progress | None = None,
            set_phase: Callable[[Phase], None] | None = None,
            ) -> tuple[FrameSet, FrameSet | None, list[FaceItem]]:
    """Capture every image with the stock IQ, then with the CamPro IQ (`set_phase` switches)."""
    items = list_faces(opts.faces, opts.max_identities, opts.max_probes)
    f_keys = [f"faces/{i.key}" for i in items]
    f_raw = [read_rgb(i.path) for i in items]
    s_paths = list_scenes(opts.scenes) if opts.scenes else []
    s_keys = [f"scenes/{p.name}" for p in s_paths]
    s_raw = [_shrink(read_rgb(p), opts.scene_long_side) for p in s_paths]
    face_frames: dict[str, list[np.ndarray]] = {}
    scene_frames: dict[str, list[np.ndarray]] = {}
    phases: tuple[tuple[Phase, str], ...] = (("stock", "stock"), ("campro", "captured"))
    for phase, name in phases:
        if set_phase:
            set_phase(phase)
        face_frames[name] = _capture(source, f_keys, f_raw, phase, progress)
        if s_raw:
            scene_frames[name] = _capture(source, s_keys, s_raw, phase, progress)
    faces = FrameSet(names=f_keys, raw=f_raw, frames=face_frames,
                     identities=[i.identity for i in items],
                     is_gallery=[i.is_gallery for i in items])
    scenes = FrameSet(names=s_keys, raw=s_raw, frames=scene_frames) if s_raw else None
    return faces, scenes, items


def add_enhanced(fs: FrameSet, enhancer_path: Path, progress: Progress | None = None) -> None:
    from campro_edge.enhancer.runtime import OnnxEnhancer

    enh = OnnxEnhancer(enhancer_path)
    out = []
    for k, img in enumerate(fs.frames["captured"]):
        out.append(enh.enhance(img))
        if progress:
            progress("enhance", k + 1, len(fs.raw))
    fs.frames["enhanced"] = out


def colour_cube() -> np.ndarray:
    """Every colour of a 64-level grid (levels 2, 6, ..., 254) as a 512x512 RGB image."""
    levels = np.arange(2, 256, 4, dtype=np.uint8)
    cube = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1)
    return np.ascontiguousarray(cube.reshape(512, 512, 3))


def add_enhanced_lut(faces: FrameSet, scenes: FrameSet | None, items: list[FaceItem],
                     campro_hw: HardwareIsp) -> dict[str, str]:
    """A stand-in enhancer when no trained one is at hand: the per-pixel LUT fitted on every
    colour and on the attacker-side identities' faces rendered through the hardware model."""
    from campro_edge.evaluation.lut_restore import LutRestorer
    from campro_edge.evaluation.restoration import split_identities

    attack, _ = split_identities([i.identity for i in items])
    lut = LutRestorer(32)
    cube = colour_cube()
    lut.add(render_hardware(campro_hw, cube), cube)
    for k, i in enumerate(items):
        if i.identity in attack:
            lut.add(render_hardware(campro_hw, faces.raw[k]), faces.raw[k], stride=2)
    for fs in (faces, scenes):
        if fs is not None:
            fs.frames["enhanced"] = [lut.apply(x) for x in fs.frames["captured"]]
    # the table saw the attacker-side identities: count only the held-out ones
    faces.masks["enhanced"] = [i.identity not in attack for i in items]
    return {"enhancer": "per-pixel LUT stand-in (no trained enhancer given): fitted on every "
            "colour and on the attacker-side identities' faces; enhanced faces are counted "
            "for the held-out identities only"}


def add_restored(faces: FrameSet, scenes: FrameSet | None, items: list[FaceItem],
                 campro_hw: HardwareIsp, opts: VerifyOptions,
                 progress: Progress | None = None) -> dict[str, str]:
    """The white-box restoration attack: a U-Net trained on the *other* identities' images
    rendered through the known ISP; applied to every captured frame. Identification on
    restored frames is only meaningful for the evaluated (held-out) identities; frames of the
    attacker's identities are replaced by the captured frames so they cannot inflate it."""
    from campro_edge.evaluation.restoration import (
        RestorationConfig,
        restore,
        split_identities,
        train_restorer,
    )

    attack, evaluated = split_identities([i.identity for i in items])
    train_imgs = [faces.raw[k] for k, i in enumerate(items) if i.identity in attack]
    pairs = [(render_hardware(campro_hw, x), x) for x in train_imgs]
    cfg = RestorationConfig(steps=opts.attack_steps, seed=opts.seed)

    def tick(step: int, _loss: float) -> None:
        if progress:
            progress("train restoration attack", step, cfg.steps)

    net = train_restorer(pairs, cfg, on_step=tick)
    restored = []
    for k, (i, cap) in enumerate(zip(items, faces.frames["captured"], strict=True)):
        restored.append(restore(net, cap) if i.identity in evaluated else cap)
        if progress:
            progress("restore faces", k + 1, len(items))
    faces.frames["restored"] = restored
    faces.masks["restored"] = [i.identity in evaluated for i in items]
    if scenes is not None:
        scenes.frames["restored"] = [restore(net, x) for x in scenes.frames["captured"]]
    return {"restoration attack": f"U-Net {cfg.depth}x{cfg.base_channels}, {cfg.steps} steps "
            f"on {len(train_imgs)} images of {len(attack)} identities; restored top-1 counts "
            f"the {len(evaluated)} held-out identities (the attacker's own are left out)"}


def run_verify(opts: VerifyOptions, source: FrameSource, campro_hw: HardwareIsp,
               stock_hw: HardwareIsp | None, thresholds: Thresholds,
               progress: Progress | None = None,
               set_phase: Callable[[Phase], None] | None = None,
               info: dict[str, str] | None = None,
               isp_campro_hw: HardwareIsp | None = None,
               stock_hw_from_board: Callable[[], HardwareIsp | None] | None = None,
               isp_campro_hw_from_board: Callable[[], HardwareIsp | None] | None = None,
               ) -> tuple[EvaluationResult, dict[str, Path]]:
    """Capture, measure, report. ``isp_campro_hw`` is what the board programs for the CamPro
    IQ as seen from sensor RGB (compose mode: CamPro x stock), for the ISP-applied check."""
    faces, scenes, items = collect(opts, source, progress, set_phase)
    if stock_hw_from_board is not None:  # known only once the board has run each IQ
        stock_hw = stock_hw_from_board()
    if isp_campro_hw_from_board is not None:
        isp_campro_hw = isp_campro_hw_from_board()
    extra = {"frame source": source.label, **(info or {})}
    if opts.enhancer is not None and str(opts.enhancer) == "lut":
        extra.update(add_enhanced_lut(faces, scenes, items, campro_hw))
    elif opts.enhancer is not None:
        add_enhanced(faces, opts.enhancer, progress)
        if scenes is not None:
            add_enhanced(scenes, opts.enhancer, progress)
        extra["enhancer"] = str(opts.enhancer)
    if opts.attack_steps > 0:
        extra.update(add_restored(faces, scenes, items, campro_hw, opts, progress))
    res = evaluate(faces, scenes, thresholds, stock_hw=stock_hw,
                   campro_hw=isp_campro_hw or campro_hw,
                   workers=opts.workers, progress=progress)
    res.info = extra
    paths = write_report(opts.out_dir, res, faces, scenes)
    return res, paths


def verdict(res: EvaluationResult, paths: dict[str, Path]) -> None:
    """Raise VerificationFailed (exit 5) naming the failed checks."""
    failed = [c for c in res.checks if c.status == "fail"]
    if failed:
        names = ", ".join(f"{c.name} ({c.message})" for c in failed)
        raise VerificationFailed(f"{len(failed)} check(s) failed: {names}; report: {paths['html']}")


def campro_hardware(params_path: Path) -> HardwareIsp:
    from campro_edge.params import load_params

    params = load_params(params_path)
    try:
        return fit_hardware(params)
    except ValueError as exc:
        raise InputError(f"{params_path}: {exc}") from None
