"""Write CamPro's CCM and gamma into a board's own rkaiq v1.x XML IQ file.

What changes (docs/hardware.md gives the evidence for each item):

* CCM: ``enable`` 1; in every mode every ``matrixAll`` profile's ``ccMatrix`` becomes the CamPro
  matrix (``replace``) or the CamPro matrix times that profile's stock matrix (``compose``: the
  hardware CCM sees white-balanced *sensor* RGB, CamPro was trained on linear sRGB), quantised to
  the 1/128 register grid; ``ccOffsets`` 0; ``damp_enable`` 0; ``y_alpha_curve`` all 1024; alpha
  ``scale`` all 1.0 — so the chosen matrix applies fully at every brightness and gain.
* GAMMA: ``gamma_en`` 1, ``gamma_out_segnum`` 0 (logarithmic knots), ``gamma_out_offset`` 0, every
  ``curve_*`` = the fitted 45-knot curve.
* Optional neutralisation of stages that alter colour around CCM/gamma: TMO in linear modes,
  DEHAZE enables, CPSL (IR-cut / gray night mode).

Only bytes between ``[`` and ``]`` of those leaves change; sizes, types, names and everything else
stay as they were. The result is validated and compared element-by-element with the input before
it is returned; a file that fails is never handed out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from campro_edge.errors import IqError
from campro_edge.iq.rkaiq_xml import (
    IqDocument,
    bracket_span,
    format_array,
    leaf_numbers,
    leaf_string,
    load_iq,
    validation_problems,
)
from campro_edge.iq.xmlscan import Element
from campro_edge.isp.hardware import HardwareIsp
from campro_edge.isp.registers import CHANNELS, coeff_range, quantise_ccm


class CcmMode(StrEnum):
    COMPOSE = "compose"
    REPLACE = "replace"


class Stage(StrEnum):
    TMO = "tmo"
    DEHAZE = "dehaze"
    CPSL = "cpsl"


ALL_STAGES = frozenset(Stage)
DEHAZE_ENABLES = ("Enable", "Dehaze_en", "Enhance_en", "Hist_en")


@dataclass
class PatchResult:
    data: bytes
    changes: list[str]
    #: profile name per mode -> the 3x3 matrix written (quantised), for reports and tests
    matrices: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    edited_elements: int = 0


@dataclass
class _Editor:
    iq: IqDocument
    edits: list[tuple[int, int, bytes]] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def set(self, el: Element, values: Iterable[float] | np.ndarray) -> None:
        vals = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
        vals = vals.reshape(-1)
        span = bracket_span(self.iq.doc, el)
        if span is None:
            raise IqError(f"{self.iq.where(el)}: expected a [ ... ] value to replace")
        if el.count is not None and vals.size != el.count:
            raise IqError(
                f"{self.iq.where(el)}: would write {vals.size} values into size "
                f"{el.attrs.get('size')}; refusing to change array sizes"
            )
        if id(el) in self.seen:
            return
        self.seen.add(id(el))
        self.edits.append((span[0], span[1], format_array(vals).encode("ascii")))

    def fill(self, el: Element, value: float) -> None:
        self.set(el, np.full(el.count or len(leaf_numbers(self.iq.doc, el)), value))

    def apply(self) -> bytes:
        out = bytearray(self.iq.data)
        for start, end, text in sorted(self.edits, reverse=True):
            out[start:end] = text
        return bytes(out)


def _child(iq: IqDocument, parent: Element, name: str) -> Element:
    el = parent.child(name)
    if el is None:
        raise IqError(f"{iq.where(parent)}: <{name}> missing")
    return el


def _compose_checked(campro: np.ndarray, stock: np.ndarray, where: str) -> np.ndarray:
    composed = campro @ stock
    for i in range(3):
        for j in range(3):
            lo, hi = coeff_range(i, j)
            v = float(composed[i, j])
            if not lo <= round(v * 128) / 128 <= hi:
                raise IqError(
                    f"{where}: composed coefficient ccm[{i}][{j}] ({CHANNELS[i]}<-{CHANNELS[j]}) "
                    f"= {v:.4f} is outside the RV1126 range [{lo:.4f}, {hi:.4f}]; "
                    "use --ccm-mode replace or a milder CCM"
                )
    return quantise_ccm(composed)


def _patch_ccm(ed: _Editor, hw: HardwareIsp, mode: CcmMode, result: PatchResult) -> None:
    iq = ed.iq
    ccm = iq.section("CCM")
    assert ccm is not None
    ed.fill(_child(iq, ccm, "enable"), 1)
    counts = []
    for mode_name, m in iq.ccm_modes():
        ed.fill(_child(iq, m, "damp_enable"), 0)
        luma = _child(iq, m, "lumaCCM")
        ed.fill(_child(iq, luma, "y_alpha_curve"), 1024)
        ed.fill(_child(iq, _child(iq, luma, "gain_alphaScale_curve"), "scale"), 1.0)
        mall = _child(iq, m, "matrixAll")
        written: dict[str, np.ndarray] = {}
        for cell in mall.children_named("cell")[: mall.count or 0]:
            name = leaf_string(iq.doc, _child(iq, cell, "name"))
            ill = leaf_string(iq.doc, _child(iq, cell, "illumination"))
            mat_el = _child(iq, cell, "ccMatrix")
            if mode is CcmMode.COMPOSE:
                stock = np.asarray(leaf_numbers(iq.doc, mat_el)[:9]).reshape(3, 3)
                where = f"CCM mode {mode_name}, illuminant {ill}, profile {name}"
                new = _compose_checked(hw.ccm, stock, where)
            else:
                new = hw.ccm
            ed.set(mat_el, new)
            ed.fill(_child(iq, cell, "ccOffsets"), 0)
            written[name] = new
        result.matrices[mode_name] = written
        counts.append(f"{mode_name}: {len(written)}")
    verb = "CamPro x stock (compose)" if mode is CcmMode.COMPOSE else "CamPro (replace)"
    result.changes.append(
        f"CCM: enable 1; {sum(len(v) for v in result.matrices.values())} matrices = {verb} "
        f"[{', '.join(counts)}]; offsets 0; damping off; y_alpha 1024; alpha scale 1.0"
    )


def _patch_gamma(ed: _Editor, hw: HardwareIsp, result: PatchResult) -> None:
    iq = ed.iq
    g = iq.section("GAMMA")
    assert g is not None
    ed.fill(_child(iq, g, "gamma_en"), 1)
    ed.fill(_child(iq, g, "gamma_out_segnum"), 0)
    ed.fill(_child(iq, g, "gamma_out_offset"), 0)
    curves = [c for c in g.children if c.name.startswith("curve_")]
    for c in curves:
        ed.set(c, hw.gamma_y)
    result.changes.append(
        f"GAMMA: enable 1, log segments, offset 0; {', '.join(c.name for c in curves)} = "
        "fitted 45-knot curve"
    )


def _patch_tmo(ed: _Editor, result: PatchResult) -> None:
    iq = ed.iq
    tmo = iq.section("TMO")
    enable = tmo.child("Enable") if tmo is not None else None
    if enable is None:
        result.changes.append("TMO: no TMO/Enable section in this layout; nothing to neutralise")
        return
    done = []
    for cell in enable.children_named("cell"):
        name_el, en = cell.child("Name"), cell.child("En")
        name = leaf_string(iq.doc, name_el) if name_el is not None else ""
        if en is not None and name.lower() in {"normal", "night"}:
            ed.fill(en, 0)
            done.append(name)
    result.changes.append(f"TMO: En 0 for {', '.join(done) or 'no linear mode'} (HDR untouched)")


def _patch_dehaze(ed: _Editor, result: PatchResult) -> None:
    iq = ed.iq
    dh = iq.section("DEHAZE")
    if dh is None:
        result.changes.append("DEHAZE: section absent; nothing to neutralise")
        return
    n = 0
    for el in dh.iter():
        if el.name in DEHAZE_ENABLES and not el.children and el.count:
            ed.fill(el, 0)
            n += 1
    result.changes.append(f"DEHAZE: {n} enables = 0 (dehaze, enhance, histogram)")


def _patch_cpsl(ed: _Editor, result: PatchResult) -> None:
    iq = ed.iq
    cpsl = iq.section("CPSL")
    if cpsl is None:
        result.changes.append("CPSL: section absent; nothing to neutralise")
        return
    names = []
    for name in ("enable", "force_gray"):
        el = cpsl.child(name)
        if el is not None:
            ed.fill(el, 0)
            names.append(name)
    result.changes.append(f"CPSL: {' and '.join(names)} = 0 (no gray/IR night mode)")


def _same_structure(a: IqDocument, b: IqDocument) -> str | None:
    ea, eb = list(a.doc.root.iter()), list(b.doc.root.iter())
    if len(ea) != len(eb):
        return f"element count changed ({len(ea)} -> {len(eb)})"
    for x, y in zip(ea, eb, strict=True):
        if x.name != y.name or x.attrs != y.attrs:
            return f"{a.where(x)} changed name or attributes"
        if a.data[x.start : x.open_end] != b.data[y.start : y.open_end]:
            return f"{a.where(x)}: start tag bytes changed"
    return None


def patch_iq(
    stock: bytes,
    hw: HardwareIsp,
    ccm_mode: CcmMode | str = CcmMode.COMPOSE,
    neutralise: Iterable[Stage | str] = ALL_STAGES,
    source: str = "stock IQ file",
) -> PatchResult:
    """Return a new IQ file: ``stock`` with CamPro's CCM and gamma, validated."""
    mode = CcmMode(ccm_mode)
    stages = {Stage(s) for s in neutralise}
    iq = load_iq(stock, source)
    ed = _Editor(iq)
    result = PatchResult(data=b"", changes=[])
    _patch_ccm(ed, hw, mode, result)
    _patch_gamma(ed, hw, result)
    if Stage.TMO in stages:
        _patch_tmo(ed, result)
    if Stage.DEHAZE in stages:
        _patch_dehaze(ed, result)
    if Stage.CPSL in stages:
        _patch_cpsl(ed, result)
    out = ed.apply()
    new = IqDocument.parse(out, "written IQ file")
    problems = validation_problems(new)
    if problems:
        raise IqError(f"written IQ file would be rejected: {problems[0]} (nothing written)")
    diff = _same_structure(iq, new)
    if diff:
        raise IqError(f"internal error, written IQ file differs in structure: {diff}")
    result.data = out
    result.edited_elements = len(ed.edits)
    return result
