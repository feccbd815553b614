"""The stock IQ file of the simulated IMX415 module, in the rkaiq v1.x XML layout.

Written by this project from the simulated calibration in `sensor.py` (nothing is copied from a
vendor file). It carries the sections a CamPro patch touches (CCM, GAMMA, TMO, DEHAZE, LUT3D,
CPSL), each with the element names, types and sizes Rockchip's v1.x parser expects
(../shared/docs/ROCKCHIP_IQ.md section 1), and it is validated with the same rules the product
applies (`campro_edge.iq.rkaiq_xml.validate_iq`) before it is used.
"""

from __future__ import annotations

import numpy as np

from campro_edge.iq.rkaiq_xml import load_iq
from campro_edge.isp.constants import CODE_MAX, X45
from campro_edge_sim.sensor import ILLUMINANTS, SATURATIONS, profile_matrix

PARSE_VERSION = "v1.4.8"
MAGIC = 1170944  # the emulated parser does not compute Rockchip's tag-table checksum


def _num(v: float) -> str:
    return f"{v:.4f}"


def _arr(values: list[float] | np.ndarray, integer: bool = False) -> str:
    fmt = (lambda v: str(int(round(v)))) if integer else _num
    return "[" + " ".join(fmt(float(v)) for v in np.asarray(values).ravel()) + " ]"


class _W:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def open(self, tag: str, typ: str, size: str = "[1 1]") -> None:
        idx = "" if self.depth <= 1 else ' index="1"'
        self.lines.append(f'{"   " * self.depth}<{tag}{idx} type="{typ}" size="{size}">')
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.lines.append(f"{'   ' * self.depth}</{tag}>")

    def leaf(self, tag: str, typ: str, text: str, size: str) -> None:
        pad = "   " * self.depth
        self.lines.append(f'{pad}<{tag} index="1" type="{typ}" size="{size}">')
        self.lines.append(f"{pad}   {text}")
        self.lines.append(f"{pad}</{tag}>")

    def string(self, tag: str, s: str) -> None:
        self.leaf(tag, "char", s, f"[1 {len(s)}]")

    def nums(
        self,
        tag: str,
        values: list[float] | np.ndarray,
        typ: str = "double",
        size: str | None = None,
    ) -> None:
        a = np.asarray(values, dtype=np.float64).ravel()
        self.leaf(tag, typ, _arr(a, typ in ("int", "char")), size or f"[1 {a.size}]")

    def flag(self, tag: str, on: bool) -> None:
        self.leaf(tag, "char", f"[{int(on)} ]", "[1 1]")


def stock_gamma() -> np.ndarray:
    """The module's stock gamma-out curve at the 45 knots (a plain 1/2.2 power curve)."""
    return np.floor(CODE_MAX * (X45 / CODE_MAX) ** (1 / 2.2) + 0.5)


def _ccm_mode(w: _W, name: str) -> None:
    w.open("cell", "struct")
    w.string("Name", name)
    w.flag("damp_enable", True)
    w.open("lumaCCM", "struct")
    w.nums("RGB2Y_para", [38, 75, 15])
    w.nums("low_bound_pos_bit", [8])
    w.nums("y_alpha_curve", [1024] * 17)
    w.open("gain_alphaScale_curve", "struct")
    w.nums("gain", [1, 2, 4, 8, 16, 32, 64, 128, 256])
    w.nums("scale", [1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5])
    w.close("gain_alphaScale_curve")
    w.close("lumaCCM")
    w.open("aCcmCof", "cell", f"[1 {len(ILLUMINANTS)}]")
    w.open("illAll", "cell", f"[1 {len(ILLUMINANTS)}]")
    for il in ILLUMINANTS:
        w.open("cell", "struct")
        w.string("name", il.name)
        w.nums("wbGain", list(il.wb_gain))
        used = " ".join(f"{il.name}_{int(s)}" for s in SATURATIONS)
        w.string("matrixUsed", used)
        w.nums("gains", [1, 2, 8, 128])
        w.nums("sat", [100, 100, 90, 74])
        w.close("cell")
    w.close("illAll")
    w.close("aCcmCof")
    n = len(ILLUMINANTS) * len(SATURATIONS)
    w.open("matrixAll", "cell", f"[1 {n}]")
    for il in ILLUMINANTS:
        for s in SATURATIONS:
            w.open("cell", "struct")
            w.string("name", f"{il.name}_{int(s)}")
            w.string("illumination", il.name)
            w.nums("saturation", [s])
            w.nums("ccMatrix", profile_matrix(il, s), size="[3 3]")
            w.nums("ccOffsets", [0, 0, 0])
            w.close("cell")
    w.close("matrixAll")
    w.close("cell")


def stock_iq_xml(sensor: str, module: str, lens: str) -> bytes:
    w = _W()
    w.lines.append('<?xml version="1.0" encoding="utf-8"?>')
    w.open("matfile", "struct")
    w.lines[-1] = "<matfile>"
    w.open("header", "struct")
    w.string("code_xml_parse_version", PARSE_VERSION)
    w.string("creation_date", "2026-11-26")
    w.string("creator", "campro-edge-sim")
    w.string("sensor_name", sensor.upper())
    w.string("sample_name", module)
    w.string("generator_version", "campro-edge-sim")
    w.nums("magic_code_version", [MAGIC], typ="int")
    w.close("header")
    w.open("sensor", "struct")
    # TMO: linear-mode tone mapping on (a stage CamPro wants off)
    w.open("TMO", "struct")
    w.open("Enable", "cell", "[1 3]")
    for mode, on in (("normal", 1), ("hdr", 1), ("night", 0)):
        w.open("cell", "struct")
        w.string("Name", mode)
        w.nums("En", [on])  # double, as in every Rockchip file
        w.close("cell")
    w.close("Enable")
    w.close("TMO")
    w.open("CCM", "struct")
    w.flag("enable", True)
    w.open("Mode", "cell", "[1 2]")
    _ccm_mode(w, "normal")
    _ccm_mode(w, "hdr")
    w.close("Mode")
    w.close("CCM")
    w.open("GAMMA", "struct")
    w.flag("gamma_en", True)
    w.flag("gamma_out_segnum", False)
    w.flag("gamma_out_offset", False)
    curve = stock_gamma()
    for c in ("curve_normal", "curve_hdr", "curve_night"):
        w.nums(c, curve)
    w.close("GAMMA")
    w.open("DEHAZE", "struct")
    for en, on in (("Enable", 1), ("Dehaze_en", 0), ("Enhance_en", 1), ("Hist_en", 0)):
        w.nums(en, [on])  # double, as in every Rockchip file
    w.close("DEHAZE")
    w.open("LUT3D", "struct")
    w.nums("enable", [0])
    w.close("LUT3D")
    w.open("CPSL", "struct")
    w.flag("enable", False)
    w.flag("force_gray", False)
    w.close("CPSL")
    w.close("sensor")
    w.depth = 0
    w.lines.append("</matfile>")
    data = ("\n".join(w.lines) + "\n").encode()
    load_iq(data, "simulated stock IQ file")  # the same rules the board's parser applies
    return data
