"""Operation: CamPro parameters + the board's stock IQ file -> a CamPro IQ file, with a report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from campro_edge.errors import InputError
from campro_edge.fileio import sha256_bytes
from campro_edge.iq.rkaiq_xml import IqDocument, load_iq
from campro_edge.iq.rkaiq_xml_patch import ALL_STAGES, CcmMode, Stage, patch_iq
from campro_edge.isp.constants import X45
from campro_edge.isp.fidelity import FidelityReport, compare
from campro_edge.isp.hardware import HardwareFit, fit_hardware_detail
from campro_edge.params import IspParams

SUPPORTED_FORMATS = {"rkaiq-xml-v1"}


class HardwareSummary(BaseModel):
    ccm_requested: list[list[float]]
    ccm_applied: list[list[float]]
    ccm_registers: list[list[int]]
    ccm_max_abs_error: float
    gamma_knots_x: list[int]
    gamma_knots_y: list[int]
    gamma_method: str
    gamma_monotone: bool


class ConvertResult(BaseModel):
    board: str
    iq_format: str
    stock_sensor: str | None
    stock_parse_version: str | None
    stock_sha256: str
    output: str | None
    output_sha256: str
    output_bytes: int
    ccm_mode: str
    neutralised: list[str]
    changed_elements: int
    changes: list[str]
    hardware: HardwareSummary
    fidelity: FidelityReport


def hardware_fit(params: IspParams) -> HardwareFit:
    try:
        return fit_hardware_detail(params)
    except ValueError as exc:
        raise InputError(f"field 'ccm': {exc}") from None


def hardware_summary(fit: HardwareFit) -> HardwareSummary:
    hw = fit.hw
    return HardwareSummary(
        ccm_requested=fit.ccm_requested.tolist(),
        ccm_applied=hw.ccm.tolist(),
        ccm_registers=hw.ccm_regs.tolist(),
        ccm_max_abs_error=float(np.max(np.abs(hw.ccm - fit.ccm_requested))),
        gamma_knots_x=X45.tolist(),
        gamma_knots_y=hw.gamma_y.tolist(),
        gamma_method=fit.gamma.method,
        gamma_monotone=bool(
            np.all(np.diff(hw.gamma_y) >= 0) or np.all(np.diff(hw.gamma_y) <= 0)
        ),
    )


def fidelity_report(
    fit: HardwareFit, params: IspParams, images: Iterable[np.ndarray] = (), cube_step: int = 1
) -> FidelityReport:
    cube, imgs, n = compare(fit.hw, params.ccm_array(), params.gamma_array(), images, cube_step)
    return FidelityReport(
        all_inputs=cube,
        images=imgs,
        image_count=n,
        gamma_rms_12bit=round(fit.gamma.rms_error, 4),
        gamma_max_12bit=round(fit.gamma.max_error, 4),
        gamma_sampled_rms_12bit=round(fit.gamma.sampled_rms_error, 4),
        gamma_sampled_max_12bit=round(fit.gamma.sampled_max_error, 4),
        gamma_method=fit.gamma.method,
        ccm_max_abs_coeff_error=float(np.max(np.abs(fit.hw.ccm - fit.ccm_requested))),
    )


def convert(
    params: IspParams,
    stock: bytes,
    *,
    board: str,
    iq_format: str,
    ccm_mode: CcmMode | str = CcmMode.COMPOSE,
    neutralise: Iterable[Stage | str] = ALL_STAGES,
    fidelity_images: Iterable[np.ndarray] = (),
    cube_step: int = 1,
    stock_name: str = "stock IQ file",
) -> tuple[bytes, ConvertResult]:
    """Pure conversion (no file I/O): returns the new IQ bytes and the report."""
    if iq_format not in SUPPORTED_FORMATS:
        raise InputError(
            f"board {board}: IQ format {iq_format!r} has no writer yet "
            f"(supported: {', '.join(sorted(SUPPORTED_FORMATS))})"
        )
    fit = hardware_fit(params)
    stock_doc: IqDocument = load_iq(stock, stock_name)
    stages = sorted(Stage(s) for s in neutralise)
    patched = patch_iq(stock, fit.hw, ccm_mode, stages, source=stock_name)
    result = ConvertResult(
        board=board,
        iq_format=iq_format,
        stock_sensor=stock_doc.sensor_name,
        stock_parse_version=stock_doc.parse_version,
        stock_sha256=sha256_bytes(stock),
        output=None,
        output_sha256=sha256_bytes(patched.data),
        output_bytes=len(patched.data),
        ccm_mode=str(CcmMode(ccm_mode)),
        neutralised=[str(s) for s in stages],
        changed_elements=patched.edited_elements,
        changes=patched.changes,
        hardware=hardware_summary(fit),
        fidelity=fidelity_report(fit, params, fidelity_images, cube_step),
    )
    return patched.data, result


def describe(result: ConvertResult) -> list[str]:
    """Human-readable summary lines."""
    f = result.fidelity
    hw = result.hardware
    lines = [
        f"stock IQ: sensor {result.stock_sensor or '?'}, parser {result.stock_parse_version or '?'}"
        f", sha256 {result.stock_sha256[:12]}",
        f"CCM ({result.ccm_mode}): registers {hw.ccm_registers} "
        f"(max coefficient rounding {hw.ccm_max_abs_error:.4f})",
        f"gamma: 45 log knots, {hw.gamma_method} fit, rms {f.gamma_rms_12bit:.2f} / max "
        f"{f.gamma_max_12bit:.2f} (12-bit); sampling the curve would give rms "
        f"{f.gamma_sampled_rms_12bit:.2f} / max {f.gamma_sampled_max_12bit:.2f}"
        + ("" if hw.gamma_monotone else "; the curve is not monotone (allowed)"),
        f"fidelity, all {f.all_inputs.pixels} 8-bit colours: max {f.all_inputs.max_abs:.2f}, "
        f"mean {f.all_inputs.mean_abs:.3f} levels, PSNR {f.all_inputs.psnr_db:.2f} dB "
        "(hardware vs CamPro float model)",
    ]
    if f.images is not None:
        lines.append(
            f"fidelity, {f.image_count} images: max {f.images.max_abs:.2f}, mean "
            f"{f.images.mean_abs:.3f} levels, PSNR {f.images.psnr_db:.2f} dB"
        )
    lines.append(f"changed {result.changed_elements} elements; every other byte unchanged:")
    lines += [f"  {c}" for c in result.changes]
    if result.output:
        lines.append(f"wrote {result.output} ({result.output_bytes} bytes, "
                     f"sha256 {result.output_sha256[:12]})")
    return lines


def output_path_checks(output: Path, stock: Path) -> None:
    if output.resolve() == stock.resolve():
        raise InputError(
            f"{output}: refusing to overwrite the stock IQ file; write to another path"
        )
