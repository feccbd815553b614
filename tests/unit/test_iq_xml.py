from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from campro_edge.errors import IqError
from campro_edge.iq.rkaiq_xml import (
    IqDocument,
    bracket_span,
    load_iq,
    parse_numbers,
    read_isp_config,
    validation_problems,
)
from campro_edge.iq.rkaiq_xml_patch import CcmMode, patch_iq
from campro_edge.isp.gamma_fit import fit_gamma
from campro_edge.isp.hardware import HardwareIsp

#: leaves the writer may change, and the sections they may sit in
EDITABLE = {
    "ccMatrix", "ccOffsets", "damp_enable", "y_alpha_curve", "scale", "enable", "gamma_en",
    "gamma_out_segnum", "gamma_out_offset", "curve_normal", "curve_hdr", "curve_night",
    "curve_user1", "curve_user2", "En", "Enable", "Dehaze_en", "Enhance_en", "Hist_en",
    "force_gray",
}
SECTIONS = {"CCM", "GAMMA", "TMO", "DEHAZE", "CPSL"}


def campro_hw() -> HardwareIsp:
    ccm = np.array([[0.55, 0.75, -0.3], [-0.2, 0.45, 0.75], [0.7, -0.25, 0.55]])
    g = np.abs(np.sin(np.pi * np.linspace(0, 1, 32) ** 0.45))
    return HardwareIsp.from_matrix(ccm, fit_gamma(g).knots_y)


def iq_files(d: Path) -> list[Path]:
    files = sorted(d.glob("*.xml"))
    assert len(files) >= 6
    return files


def _section(el) -> str:
    while el.parent is not None and el.parent.name != "sensor":
        el = el.parent
    return el.name


def test_every_shared_file_is_accepted_as_stock(shared_iq_dir: Path) -> None:
    for f in iq_files(shared_iq_dir):
        assert validation_problems(IqDocument.parse(f.read_bytes())) == [], f.name


@pytest.mark.parametrize("mode", list(CcmMode))
def test_bytes_outside_edited_values_unchanged(shared_iq_dir: Path, mode: CcmMode) -> None:
    hw = campro_hw()
    for f in iq_files(shared_iq_dir):
        stock = f.read_bytes()
        out = patch_iq(stock, hw, mode).data
        a, b = IqDocument.parse(stock), IqDocument.parse(out)
        ea, eb = list(a.doc.root.iter()), list(b.doc.root.iter())
        assert len(ea) == len(eb)
        pos_a = pos_b = 0
        changed = 0
        for x, y in zip(ea, eb, strict=True):
            assert (x.name, x.attrs) == (y.name, y.attrs)
            if x.children:
                continue
            sa, sb = bracket_span(a.doc, x), bracket_span(b.doc, y)
            if sa is None or stock[sa[0]:sa[1]] == out[sb[0]:sb[1]]:
                continue
            changed += 1
            assert x.name in EDITABLE, f"{f.name}: {x.path()} changed"
            assert _section(x) in SECTIONS, f"{f.name}: {x.path()} changed"
            assert b"\n" not in out[sb[0]:sb[1]] and b"\r" not in out[sb[0]:sb[1]]
            # everything between the previous changed value and this one is byte-identical
            assert stock[pos_a:sa[0]] == out[pos_b:sb[0]]
            pos_a, pos_b = sa[1], sb[1]
        assert stock[pos_a:] == out[pos_b:]
        assert changed > 20
        assert b"<!--" not in out


def test_crlf_and_cr_line_ends_survive(shared_iq_dir: Path) -> None:
    hw = campro_hw()
    for f in iq_files(shared_iq_dir):
        stock = f.read_bytes()
        out = patch_iq(stock, hw).data
        kinds = {
            "crlf": lambda d: d.count(b"\r\n"),
            "cr": lambda d: d.count(b"\r") - d.count(b"\r\n"),
            "lf": lambda d: d.count(b"\n") - d.count(b"\r\n"),
        }
        for name, count in kinds.items():
            # same kind of line ends; only multi-line values (now one line) lose breaks
            assert (count(stock) > 0) == (count(out) > 0), (f.name, name)
            assert count(out) <= count(stock)


def test_round_trip_values_equal_the_fit(shared_iq_dir: Path) -> None:
    hw = campro_hw()
    for f in iq_files(shared_iq_dir):
        cfg = read_isp_config(patch_iq(f.read_bytes(), hw, CcmMode.REPLACE).data)
        assert cfg.ccm_enable and cfg.gamma_enable and cfg.gamma_segnum == 0
        assert not cfg.cpsl_enable and not cfg.cpsl_force_gray
        for name in ("curve_normal", "curve_hdr", "curve_night"):
            np.testing.assert_array_equal(cfg.gamma_curves[name], hw.gamma_y)
        for mode in cfg.modes.values():
            assert not mode.damp_enable
            assert np.all(mode.y_alpha_curve == 1024) and np.all(mode.alpha_scale == 1.0)
            for prof in mode.profiles.values():
                np.testing.assert_array_equal(prof.matrix, hw.ccm)
                assert np.all(prof.offsets == 0)
            for wb in [(1.0, 3.0), (2.0, 2.0), (2.5, 1.5)]:
                np.testing.assert_allclose(mode.matrix_for(wb, sensor_gain=8), hw.ccm)
            assert cfg.hardware((2.0, 2.0)) == hw


def test_compose_multiplies_each_stock_profile(stock_imx415: bytes) -> None:
    hw = campro_hw()
    stock_cfg = read_isp_config(stock_imx415)
    res = patch_iq(stock_imx415, hw, CcmMode.COMPOSE)
    cfg = read_isp_config(res.data)
    for mname, mode in cfg.modes.items():
        for pname, prof in mode.profiles.items():
            expect = hw.ccm @ stock_cfg.modes[mname].profiles[pname].matrix
            assert np.max(np.abs(prof.matrix - expect)) <= 1 / 256 + 1e-9
            assert np.allclose(prof.matrix * 128, np.round(prof.matrix * 128))


def test_compose_out_of_range_names_illuminant(stock_imx415: bytes) -> None:
    hw = HardwareIsp.from_matrix(np.array([[7.5, 0, 0], [0, 1, 0], [0, 0, 1]]), np.arange(45))
    with pytest.raises(IqError, match=r"illuminant \w+.*ccm\[0\]\[\d\]"):
        patch_iq(stock_imx415, hw, CcmMode.COMPOSE)


def test_stages_can_be_kept(stock_imx415: bytes) -> None:
    hw = campro_hw()
    cfg = read_isp_config(patch_iq(stock_imx415, hw, neutralise=[]).data)
    assert cfg.cpsl_enable  # stock has CPSL enabled and we were told to keep it


# ---------------------------------------------------------------- the validator rejects

def mutate(stock: bytes, old: bytes, new: bytes, count: int = 1) -> bytes:
    assert old in stock, old
    return stock.replace(old, new, count)


def _ccm_matrix_text(stock: bytes) -> bytes:
    iq = IqDocument.parse(stock)
    el = next(iq.section("CCM").iter("ccMatrix"))
    s = bracket_span(iq.doc, el)
    return stock[s[0]:s[1]]


BAD_CASES = {
    "comment": lambda s: mutate(s, b"<GAMMA ", b"<!-- hi --><GAMMA "),
    "truncated": lambda s: s[: len(s) // 2],
    "short array": lambda s: mutate(s, _ccm_matrix_text(s),
                                    b" ".join(_ccm_matrix_text(s).split()[:8])),
    "newline before digit": lambda s: mutate(s, _ccm_matrix_text(s),
                                             b"\n".join(_ccm_matrix_text(s).split())),
    "garbage size": lambda s: mutate(s, b'<ccMatrix index="1" type="double" size="[3 3]"',
                                     b'<ccMatrix index="1" type="double" size="[3x3]"'),
    "duplicate child": lambda s: mutate(s, b"<gamma_en ", b"<gamma_out_offset "
                                        ).replace(b"</gamma_en>", b"</gamma_out_offset>", 1),
    "missing offsets": lambda s: mutate(s, b"<ccOffsets ", b"<ccOffsetz ").replace(
        b"</ccOffsets>", b"</ccOffsetz>", 1),
    "lower-case profile": lambda s: mutate(s, b"<name index=\"1\" type=\"char\" size=\"[1 7]\">",
                                           b"<name index=\"1\" type=\"char\" size=\"[1 7]\">a"),
    "word in array": lambda s: mutate(s, _ccm_matrix_text(s),
                                      b"abc " + _ccm_matrix_text(s)),
    "type changed": lambda s: mutate(s, b'<ccMatrix index="1" type="double"',
                                     b'<ccMatrix index="1" type="float"'),
    "unknown tag": lambda s: mutate(s, b"<ccOffsets ", b"<ccOffsetsX/><ccOffsets "),
    "not iq": lambda s: b"<?xml version='1.0'?><html><body/></html>",
    "binary": lambda s: b"\x00\x01\x02" * 100,
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_validator_rejects(stock_imx415: bytes, case: str) -> None:
    bad = BAD_CASES[case](stock_imx415)
    with pytest.raises(IqError) as exc:
        load_iq(bad, "x.xml")
    assert "\n" not in str(exc.value)


def test_writer_refuses_bad_stock(stock_imx415: bytes) -> None:
    bad = BAD_CASES["comment"](stock_imx415)
    with pytest.raises(IqError, match="comment"):
        patch_iq(bad, campro_hw())


def test_number_scanner_matches_parser_rules() -> None:
    assert parse_numbers("1 2,3\t4") == ([1, 2, 3, 4], False, None)
    assert parse_numbers("1\n2 3") == ([1, 3], True, None)  # newline then digit: 2 is swallowed
    assert parse_numbers("1 \n   2") == ([1, 2], False, None)
    assert parse_numbers("1..00\t2") == ([1, 2], False, None)  # Rockchip's own typo reads as 1
    assert parse_numbers("1.5e-1") == ([0.15], False, None)
    assert parse_numbers("1 2 abc 4") == ([1, 2], False, "abc")  # the read stops at a word
