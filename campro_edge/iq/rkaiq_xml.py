"""rkaiq v1.x XML IQ files (RV1126/RV1109, ISP 2.0): read, validate, patch.

The rules applied here are those of Rockchip's calib parser (rockchip-toybrick/camera_engine_rkaiq
``iq_parser/RkAiqCalibParser.cpp``, ``iq_parser/xmltags.cpp``), as established in
docs/hardware.md: sizes are ``[r c]`` with r*c > 0, leaf arrays hold exactly r*c numbers,
struct children appear exactly once, no comments, ``matrixUsed`` names are upper-cased before
lookup, gains/sat counts match. Values are separated by space, tab or comma only: after a number
the parser skips to the next separator, so a newline directly followed by a digit swallows that
number. We therefore always write ``[v1 v2 ...]`` on one line.

Patching never re-serialises the document: it replaces the bytes *inside* the brackets of the
elements it changes and leaves every other byte (line ends, tabs, odd ``index`` attributes,
``</tag >``) exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from campro_edge.errors import IqError
from campro_edge.iq.xmlscan import Element, ScanError, XmlDoc, scan
from campro_edge.isp.hardware import HardwareIsp

NUMERIC_TYPES = {"double", "int", "float", "uint", "char", "uchar", "short"}
MODE_NAMES = ("normal", "hdr")
GAMMA_CURVES = ("curve_normal", "curve_hdr", "curve_night")
GAMMA_REQUIRED = ("gamma_en", "gamma_out_segnum", "gamma_out_offset", *GAMMA_CURVES)
LUMA_REQUIRED = ("RGB2Y_para", "low_bound_pos_bit", "y_alpha_curve", "gain_alphaScale_curve")
ILL_REQUIRED = ("name", "wbGain", "matrixUsed", "gains", "sat")
MAT_REQUIRED = ("name", "illumination", "saturation", "ccMatrix", "ccOffsets")
MODE_REQUIRED = ("damp_enable", "lumaCCM", "aCcmCof", "matrixAll")
#: Sizes of the C arrays the parser fills (``include/iq_parser/RkAiqCalibDbTypes.h``): a larger
#: r*c overflows them, a smaller one silently leaves zeros.
EXACT_COUNTS = {
    "ccMatrix": 9,
    "ccOffsets": 3,
    "y_alpha_curve": 17,
    "RGB2Y_para": 3,
    "wbGain": 2,
    **{c: 45 for c in (*GAMMA_CURVES, "curve_user1", "curve_user2")},
}
MAX_COUNTS = {"gains": 4, "sat": 4, "gain": 9, "scale": 9}
#: Types the tag table declares for the CCM/GAMMA leaves (RkAiqCalibTag.cpp); a mismatch aborts.
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    **{
        n: ("char",)
        for n in (
            "enable",
            "damp_enable",
            "gamma_en",
            "gamma_out_segnum",
            "gamma_out_offset",
            "gamma_out_mode",
            "Name",
            "name",
            "illumination",
            "matrixUsed",
        )
    },
    **{
        n: ("double",)
        for n in (
            "ccMatrix",
            "ccOffsets",
            "y_alpha_curve",
            "RGB2Y_para",
            "low_bound_pos_bit",
            "gain",
            "scale",
            "wbGain",
            "gains",
            "sat",
            "saturation",
            *GAMMA_CURVES,
            "curve_user1",
            "curve_user2",
        )
    },
}
#: Children the parser knows in each CCM/GAMMA struct; any other tag aborts ("subtag ... unknown").
KNOWN_CHILDREN: dict[str, set[str]] = {
    "GAMMA": {*GAMMA_REQUIRED, "gamma_out_mode", "curve_user1", "curve_user2"},
    "CCM": {"enable", "Mode", *MODE_REQUIRED},
    "lumaCCM": set(LUMA_REQUIRED),
    "gain_alphaScale_curve": {"gain", "scale"},
    "aCcmCof": {"illAll"},
}

_SEP = re.compile(r"[ \t,]+")
_LINE_THEN_NUMBER = re.compile(r"[\r\n]\s*[+\-.\d]")
_NUM_PREFIX = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


# --------------------------------------------------------------------------- values


def bracket_span(doc: XmlDoc, el: Element) -> tuple[int, int] | None:
    """Byte offsets of the text between ``[`` and ``]`` in a leaf, or None if it has none."""
    text = doc.data[el.open_end : el.close_start]
    lo = text.find(b"[")
    hi = text.rfind(b"]")
    if lo < 0 or hi < lo:
        return None
    return el.open_end + lo + 1, el.open_end + hi


def parse_numbers(inner: str) -> tuple[list[float], bool, str | None]:
    """Numbers as Rockchip's scanner sees them.

    Returns ``(values, swallowed, bad_token)``. Tokens are split on space/tab/comma only; a token
    that starts (after whitespace) with a number yields that number and the rest of the token is
    skipped (this is how "1\\n2" loses the 2: ``swallowed``). A token that does not start with a
    number makes the parser's read fail: scanning stops there and ``bad_token`` names it.
    """
    values: list[float] = []
    swallowed = False
    for tok in _SEP.split(inner):
        tok = tok.strip()
        if not tok:
            continue
        m = _NUM_PREFIX.match(tok)
        if m is None:
            return values, swallowed, tok[:20]
        values.append(float(m.group(0)))
        if _LINE_THEN_NUMBER.search(tok, m.end()):
            swallowed = True  # "1\n2": the parser skips to the next separator, losing 2
    return values, swallowed, None


def leaf_numbers(doc: XmlDoc, el: Element) -> list[float]:
    span = bracket_span(doc, el)
    if span is None:
        raise IqError(f"{el.path()} (line {doc.line_of(el.start)}): no [ ... ] value")
    return parse_numbers(doc.data[span[0] : span[1]].decode("latin-1"))[0]


def leaf_string(doc: XmlDoc, el: Element) -> str:
    return doc.text(el).strip()


def format_number(v: float) -> str:
    """Shortest exact-enough decimal (%f-parsable) for values on the 1/128 grid and integers."""
    if float(v).is_integer():
        return str(int(v))
    s = f"{v:.7f}".rstrip("0")
    return s


def format_array(values: np.ndarray | list[float]) -> str:
    return " ".join(format_number(float(v)) for v in np.asarray(values).reshape(-1))


# --------------------------------------------------------------------------- document


@dataclass(eq=False)
class IqDocument:
    """A scanned rkaiq v1.x XML IQ file."""

    doc: XmlDoc

    @classmethod
    def parse(cls, data: bytes, source: str = "IQ file") -> IqDocument:
        try:
            doc = scan(data)
        except ScanError as exc:
            raise IqError(f"{source}: not a readable rkaiq XML IQ file ({exc})") from None
        if doc.root.name != "matfile" or doc.root.child("sensor") is None:
            raise IqError(
                f"{source}: not an rkaiq v1.x XML IQ file (expected <matfile> with a <sensor> "
                f"section, found <{doc.root.name}>)"
            )
        return cls(doc)

    @property
    def data(self) -> bytes:
        return self.doc.data

    @property
    def sensor(self) -> Element:
        s = self.doc.root.child("sensor")
        assert s is not None
        return s

    def section(self, name: str) -> Element | None:
        return self.sensor.child(name)

    @property
    def parse_version(self) -> str | None:
        h = self.doc.root.child("header")
        el = h.child("code_xml_parse_version") if h else None
        return leaf_string(self.doc, el) if el else None

    @property
    def sensor_name(self) -> str | None:
        h = self.doc.root.child("header")
        el = h.child("sensor_name") if h else None
        return leaf_string(self.doc, el) if el else None

    def where(self, el: Element) -> str:
        return f"{el.path()} (line {self.doc.line_of(el.start)})"

    def ccm_modes(self) -> list[tuple[str, Element]]:
        """``(mode name, element holding damp_enable/lumaCCM/aCcmCof/matrixAll)`` pairs.

        Layout v1.4.x: ``CCM/Mode/cell[Name=normal|hdr]``; older v1.1.x: those children sit
        directly in ``CCM`` (one set for every mode).
        """
        ccm = self.section("CCM")
        if ccm is None:
            raise IqError("IQ file has no CCM section")
        mode = ccm.child("Mode")
        if mode is None:
            return [("all", ccm)]
        out = []
        for cell in mode.children_named("cell")[: mode.count or 0]:
            name_el = cell.child("Name")
            out.append((leaf_string(self.doc, name_el) if name_el else "?", cell))
        return out


# --------------------------------------------------------------------------- validation


def _section_of(el: Element) -> str:
    while el.parent is not None and el.parent.name != "sensor":
        el = el.parent
    return el.name


def _check_known_children(iq: IqDocument, problems: list[str]) -> None:
    for section in ("CCM", "GAMMA"):
        sec = iq.section(section)
        if sec is None:
            continue
        for el in sec.iter():
            allowed = KNOWN_CHILDREN.get(el.name)
            if el.name == "cell" and el.parent is not None:
                allowed = {
                    "Mode": {"Name", *MODE_REQUIRED},
                    "illAll": set(ILL_REQUIRED),
                    "matrixAll": set(MAT_REQUIRED),
                }.get(el.parent.name)
            if allowed is None:
                continue
            for c in el.children:
                if c.name not in allowed:
                    problems.append(f"{iq.where(c)}: unknown tag <{c.name}> (the parser aborts)")


def _check_leaf(iq: IqDocument, el: Element, problems: list[str]) -> None:
    count = el.count
    span = bracket_span(iq.doc, el)
    if el.type in {"double", "int", "float", "uint", "short"} and span is None:
        problems.append(f"{iq.where(el)}: numeric value without [ ... ]")
        return
    if span is None:
        return  # a string value (names, versions)
    inner = iq.data[span[0] : span[1]].decode("latin-1")
    values, swallowed, bad = parse_numbers(inner)
    if bad is not None and (count is None or len(values) < count):
        problems.append(f"{iq.where(el)}: {bad!r} is not a number")
        return
    if count is not None and len(values) < count:
        why = " (a line break directly before a digit hides a number)" if swallowed else ""
        problems.append(
            f"{iq.where(el)}: parser sees {len(values)} numbers, size says {count}{why}"
        )
    expected_type = EXPECTED_TYPES.get(el.name)
    if expected_type and el.type not in expected_type and _section_of(el) in {"CCM", "GAMMA"}:
        problems.append(
            f"{iq.where(el)}: type {el.type!r}, the parser expects {' or '.join(expected_type)}"
        )
    exact = EXACT_COUNTS.get(el.name)
    if exact is not None and count is not None and count != exact:
        problems.append(f"{iq.where(el)}: size {el.attrs.get('size')} must hold {exact}")
    limit = MAX_COUNTS.get(el.name)
    if limit is not None and count is not None and count > limit:
        problems.append(f"{iq.where(el)}: size {el.attrs.get('size')} exceeds {limit} values")
    if any(not np.isfinite(v) for v in values):
        problems.append(f"{iq.where(el)}: non-finite number")


def _require(iq: IqDocument, parent: Element, names: tuple[str, ...], problems: list[str]) -> None:
    for n in names:
        k = len(parent.children_named(n))
        if k != 1:
            what = "missing" if k == 0 else f"present {k} times"
            problems.append(f"{iq.where(parent)}: required <{n}> {what}")


def _check_ccm(iq: IqDocument, problems: list[str]) -> None:
    ccm = iq.section("CCM")
    if ccm is None:
        problems.append("sensor/CCM: section missing")
        return
    _require(iq, ccm, ("enable",), problems)
    modes = iq.ccm_modes()
    if ccm.child("Mode") is not None:
        for name, cell in modes:
            if name not in MODE_NAMES:
                problems.append(f"{iq.where(cell)}: Mode Name {name!r} must be 'normal' or 'hdr'")
    for _, m in modes:
        _require(iq, m, MODE_REQUIRED, problems)
        luma = m.child("lumaCCM")
        if luma is not None:
            _require(iq, luma, LUMA_REQUIRED, problems)
            gas = luma.child("gain_alphaScale_curve")
            if gas is not None:
                _require(iq, gas, ("gain", "scale"), problems)
        matrix_names: set[str] = set()
        mall = m.child("matrixAll")
        if mall is not None:
            for cell in mall.children_named("cell")[: mall.count or 0]:
                _require(iq, cell, MAT_REQUIRED, problems)
                n = cell.child("name")
                if n is not None:
                    matrix_names.add(leaf_string(iq.doc, n))
        cof = m.child("aCcmCof")
        ill = cof.child("illAll") if cof is not None else None
        if cof is not None and ill is None:
            problems.append(f"{iq.where(cof)}: required <illAll> missing")
        if ill is None:
            continue
        for cell in ill.children_named("cell")[: ill.count or 0]:
            _require(iq, cell, ILL_REQUIRED, problems)
            used = cell.child("matrixUsed")
            if used is not None:
                for u in leaf_string(iq.doc, used).split():
                    if u.upper() not in matrix_names:
                        problems.append(
                            f"{iq.where(used)}: profile {u.upper()!r} not found in matrixAll "
                            "(names are upper-cased before lookup)"
                        )
            g, s = cell.child("gains"), cell.child("sat")
            if g is not None and s is not None and g.count != s.count:
                problems.append(f"{iq.where(g)}: gains and sat must have equal sizes")


def _check_gamma(iq: IqDocument, problems: list[str]) -> None:
    g = iq.section("GAMMA")
    if g is None:
        problems.append("sensor/GAMMA: section missing")
        return
    _require(iq, g, GAMMA_REQUIRED, problems)


def validation_problems(iq: IqDocument) -> list[str]:
    """Everything Rockchip's parser would reject (empty list = accepted)."""
    problems: list[str] = []
    for _off, line in iq.doc.comments:
        problems.append(
            f"line {line}: XML comment (rkaiq's parser crashes on comments inside sections; "
            "IQ files must not contain any)"
        )
    for el in iq.doc.root.iter():
        raw = el.attrs.get("size")
        if raw is not None:
            sz = el.size
            if sz is None or sz[0] * sz[1] <= 0:
                problems.append(
                    f"{iq.where(el)}: size {raw!r} is not '[rows cols]' with rows*cols > 0"
                )
                continue
        if el.children:
            if el.type == "struct":
                names = [c.name for c in el.children]
                for n in sorted({n for n in names if names.count(n) > 1}):
                    problems.append(f"{iq.where(el)}: <{n}> appears {names.count(n)} times")
            continue
        if raw is not None and el.type in NUMERIC_TYPES:
            _check_leaf(iq, el, problems)
    _check_ccm(iq, problems)
    _check_gamma(iq, problems)
    _check_known_children(iq, problems)
    return problems


def validate_iq(iq: IqDocument, source: str = "IQ file") -> None:
    """Raise :class:`IqError` (first problem, and how many there are) if the parser would abort."""
    problems = validation_problems(iq)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise IqError(f"{source}: {problems[0]}{more}")


def load_iq(data: bytes, source: str = "IQ file") -> IqDocument:
    """Parse and validate a stock or written IQ file."""
    iq = IqDocument.parse(data, source)
    validate_iq(iq, source)
    return iq


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Illuminant:
    name: str
    wb_gain: tuple[float, float]
    matrix_names: tuple[str, ...]
    gains: tuple[float, ...]
    sat: tuple[float, ...]


@dataclass(frozen=True)
class CcmProfile:
    name: str
    illumination: str
    saturation: float
    matrix: np.ndarray  # (3, 3)
    offsets: np.ndarray  # (3,)


@dataclass(frozen=True)
class CcmModeConfig:
    name: str
    damp_enable: bool
    y_alpha_curve: np.ndarray  # (17,)
    low_bound_pos_bit: float
    alpha_scale: np.ndarray  # (9,)
    illuminants: tuple[Illuminant, ...]
    profiles: dict[str, CcmProfile]

    def illuminant_for(self, wb_gain: tuple[float, float]) -> Illuminant:
        """Nearest illuminant in AWB-gain space (accm's illuminant_index_estimation_ccm)."""
        g = np.asarray(wb_gain, dtype=np.float64)
        d = [float(np.hypot(*(np.asarray(i.wb_gain) - g))) for i in self.illuminants]
        return self.illuminants[int(np.argmin(d))]

    def matrix_for(self, wb_gain: tuple[float, float], sensor_gain: float = 1.0) -> np.ndarray:
        """The matrix accm would program (before luma alpha), for a WB and sensor gain.

        Saturation from the illuminant's gains/sat curve, profiles sorted by saturation, linear
        interpolation between the bracketing two (``rk_aiq_accm_algo.cpp``), then the gain's
        alpha scale: ``E + scale * (M - E)`` [inferred].
        """
        ill = self.illuminant_for(wb_gain)
        sat = float(np.interp(sensor_gain, ill.gains, ill.sat))
        profs = sorted(
            (self.profiles[n] for n in (u.upper() for u in ill.matrix_names) if n in self.profiles),
            key=lambda p: -p.saturation,
        )
        if not profs:
            raise IqError(f"illuminant {ill.name}: no usable CCM profile")
        if sat >= profs[0].saturation or len(profs) == 1:
            m = profs[0].matrix
        elif sat <= profs[-1].saturation:
            m = profs[-1].matrix
        else:
            for hi, lo in zip(profs, profs[1:], strict=False):
                if lo.saturation <= sat <= hi.saturation:
                    t = (sat - lo.saturation) / max(hi.saturation - lo.saturation, 1e-9)
                    m = lo.matrix + t * (hi.matrix - lo.matrix)
                    break
        gain = min(max(sensor_gain, 1.0), 256.0)
        idx = next(i for i in range(9) if int(gain) <= 2**i or i == 8)
        scale = float(self.alpha_scale[idx]) if self.alpha_scale.size > idx else 1.0
        return np.eye(3) + scale * (m - np.eye(3))


@dataclass(frozen=True)
class IqIspConfig:
    """What an rkaiq v1.x IQ file tells the ISP about CCM and gamma."""

    sensor: str | None
    parse_version: str | None
    ccm_enable: bool
    modes: dict[str, CcmModeConfig]
    gamma_enable: bool
    gamma_segnum: int
    gamma_offset: int
    gamma_curves: dict[str, np.ndarray] = field(default_factory=dict)
    cpsl_enable: bool = False
    cpsl_force_gray: bool = False

    def mode(self, name: str = "normal") -> CcmModeConfig:
        return self.modes.get(name) or self.modes.get("all") or next(iter(self.modes.values()))

    def hardware(self, wb_gain: tuple[float, float], mode: str = "normal") -> HardwareIsp:
        """The CCM registers and gamma knots programmed for a white balance (gain 1)."""
        m = self.mode(mode).matrix_for(wb_gain)
        curve = self.gamma_curves["curve_hdr" if mode == "hdr" else "curve_normal"]
        y = np.clip(np.floor(curve + 0.5), 0, 4095).astype(np.int64)
        return HardwareIsp.from_matrix(m, y)


def _nums(iq: IqDocument, parent: Element, name: str) -> np.ndarray:
    el = parent.child(name)
    if el is None:
        raise IqError(f"{iq.where(parent)}: <{name}> missing")
    return np.asarray(leaf_numbers(iq.doc, el), dtype=np.float64)


def _read_mode(iq: IqDocument, name: str, m: Element) -> CcmModeConfig:
    luma = m.child("lumaCCM")
    assert luma is not None
    gas = luma.child("gain_alphaScale_curve")
    assert gas is not None
    ills = []
    ill_el = m.child("aCcmCof").child("illAll")  # type: ignore[union-attr]
    for cell in ill_el.children_named("cell")[: ill_el.count or 0]:
        wb = _nums(iq, cell, "wbGain")
        ills.append(
            Illuminant(
                name=leaf_string(iq.doc, cell.child("name")),  # type: ignore[arg-type]
                wb_gain=(float(wb[0]), float(wb[1])),
                matrix_names=tuple(leaf_string(iq.doc, cell.child("matrixUsed")).split()),  # type: ignore[arg-type]
                gains=tuple(_nums(iq, cell, "gains").tolist()),
                sat=tuple(_nums(iq, cell, "sat").tolist()),
            )
        )
    profiles = {}
    mall = m.child("matrixAll")
    assert mall is not None
    for cell in mall.children_named("cell")[: mall.count or 0]:
        pname = leaf_string(iq.doc, cell.child("name"))  # type: ignore[arg-type]
        profiles[pname] = CcmProfile(
            name=pname,
            illumination=leaf_string(iq.doc, cell.child("illumination")),  # type: ignore[arg-type]
            saturation=float(_nums(iq, cell, "saturation")[0]),
            matrix=_nums(iq, cell, "ccMatrix")[:9].reshape(3, 3),
            offsets=_nums(iq, cell, "ccOffsets")[:3],
        )
    return CcmModeConfig(
        name=name,
        damp_enable=bool(_nums(iq, m, "damp_enable")[0]),
        y_alpha_curve=_nums(iq, luma, "y_alpha_curve")[:17],
        low_bound_pos_bit=float(_nums(iq, luma, "low_bound_pos_bit")[0]),
        alpha_scale=_nums(iq, gas, "scale")[:9],
        illuminants=tuple(ills),
        profiles=profiles,
    )


def read_isp_config(data: bytes | IqDocument, source: str = "IQ file") -> IqIspConfig:
    """Parse + validate, then extract the CCM and gamma configuration."""
    iq = data if isinstance(data, IqDocument) else load_iq(data, source)
    ccm = iq.section("CCM")
    gamma = iq.section("GAMMA")
    assert ccm is not None and gamma is not None
    modes = {name: _read_mode(iq, name, el) for name, el in iq.ccm_modes()}
    cpsl = iq.section("CPSL")

    def flag(parent: Element | None, name: str) -> bool:
        el = parent.child(name) if parent is not None else None
        return bool(el is not None and leaf_numbers(iq.doc, el) and leaf_numbers(iq.doc, el)[0])

    return IqIspConfig(
        sensor=iq.sensor_name,
        parse_version=iq.parse_version,
        ccm_enable=flag(ccm, "enable"),
        modes=modes,
        gamma_enable=flag(gamma, "gamma_en"),
        gamma_segnum=int(_nums(iq, gamma, "gamma_out_segnum")[0]),
        gamma_offset=int(_nums(iq, gamma, "gamma_out_offset")[0]),
        gamma_curves={
            c.name: _nums(iq, gamma, c.name)[:45]
            for c in gamma.children
            if c.name.startswith("curve_")
        },
        cpsl_enable=flag(cpsl, "enable"),
        cpsl_force_gray=flag(cpsl, "force_gray"),
    )
