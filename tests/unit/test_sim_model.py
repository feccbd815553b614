"""The simulator's own calibration, stock IQ file and capture model (no board needed)."""

from __future__ import annotations

import numpy as np

from campro_edge.iq.rkaiq_xml import IqDocument, read_isp_config, validation_problems
from campro_edge.iq.rkaiq_xml_patch import patch_iq
from campro_edge.isp.hardware import fit_hardware
from campro_edge.isp.yuv import nv12_to_rgb
from campro_edge.ops.health import check_colours
from campro_edge.params import load_params
from campro_edge_sim.scene import default_scene
from campro_edge_sim.sensor import ILLUMINANTS, grey_world_gains, illum, scene_to_raw12
from campro_edge_sim.stock_iq import stock_iq_xml
from campro_edge_sim.v4l2ctl import render_frame

STOCK = stock_iq_xml("imx415", "CPSIM01", "SIM-8M-F20")


def test_stock_iq_passes_the_parser_rules_and_carries_the_calibration() -> None:
    assert validation_problems(IqDocument.parse(STOCK)) == []
    assert b"<!--" not in STOCK
    cfg = read_isp_config(STOCK)
    names = [i.name for i in cfg.mode("normal").illuminants]
    assert names == [i.name for i in ILLUMINANTS]
    for il in ILLUMINANTS:
        m = cfg.mode("normal").matrix_for(il.wb_gain)
        np.testing.assert_allclose(m, np.asarray(il.ccm), atol=1e-4)
        np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-3)


def test_awb_picks_the_scene_illuminant() -> None:
    rng = np.random.default_rng(0)
    lin = (default_scene(320, 180) / 255.0) ** 2.2
    cfg = read_isp_config(STOCK).mode("normal")
    for il in ILLUMINANTS:
        gains = grey_world_gains(scene_to_raw12(lin, il, rng))
        assert cfg.illuminant_for(gains).name == il.name
    assert illum("d65").name == "D65"


def test_stock_frame_reproduces_the_scene_and_campro_changes_it_as_predicted() -> None:
    w, h = 320, 180
    scene = default_scene(w, h).astype(np.float64)
    stock = nv12_to_rgb(render_frame(w, h, STOCK, seed=1)[0].tobytes(), w, h)
    # the camera with its stock IQ shows roughly the scene (gamma 1/2.2 vs CamPro's 2.2 degamma)
    assert np.abs(stock - scene).mean() < 12
    new = patch_iq(STOCK, fit_hardware(load_params("examples/isp.json"))).data
    after = nv12_to_rgb(render_frame(w, h, new, seed=2)[0].tobytes(), w, h)
    check = check_colours(read_isp_config(STOCK), read_isp_config(new), stock, after)
    assert check is not None and check.mean_abs_err < 5 < 40 < check.unchanged_err
    # and the check fails when the frame did not change
    wrong = check_colours(read_isp_config(STOCK), read_isp_config(new), stock, stock)
    assert wrong is not None and wrong.mean_abs_err > 40


def test_without_3a_the_isp_bypasses_ccm_and_gamma() -> None:
    nv12, info = render_frame(64, 32, None, seed=0)
    assert info["3a"] is False and nv12.shape == (48, 64)
