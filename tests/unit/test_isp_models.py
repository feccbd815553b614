from __future__ import annotations

import numpy as np
import pytest

from campro_edge.isp.constants import X45
from campro_edge.isp.float_model import render_float_arrays, uniform_pwl
from campro_edge.isp.gamma_fit import fit_gamma, pwl_lut, sample_gamma, target_curve
from campro_edge.isp.hardware import (
    HardwareIsp,
    apply_ccm12,
    render_hardware,
    render_linear12,
    srgb_to_linear12,
)
from campro_edge.isp.registers import (
    ccm_range_issues,
    ccm_to_registers,
    quantise_ccm,
    registers_to_ccm,
    round_half_away,
)
from campro_edge.isp.yuv import nv12_to_rgb, rgb_to_nv12


def test_float_model_hand_computed() -> None:
    # pixel (0.5, 0.25, 1.0); CCM swaps R and B and halves G; 3-knot gamma [0, 0.8, 1]
    ccm = np.array([[0, 0, 1], [0, 0.5, 0], [1, 0, 0]], dtype=np.float64)
    gamma = np.array([0.0, 0.8, 1.0])
    out = render_float_arrays(ccm, gamma, np.array([[[0.5, 0.25, 1.0]]]))
    lin = np.array([0.5, 0.25, 1.0]) ** 2.2  # [0.217638, 0.047366, 1.0]
    mixed = np.array([lin[2], 0.5 * lin[1], lin[0]])  # [1.0, 0.023683, 0.217638]

    def by_hand(x: float) -> float:  # uniform PWL on knots at 0, 0.5, 1
        return 1.6 * x if x < 0.5 else 0.8 + (x - 0.5) * 0.4

    expected = [by_hand(v) for v in mixed]
    np.testing.assert_allclose(out[0, 0], expected, atol=1e-5)
    assert abs(out[0, 0, 0] - 1.0) < 1e-6 and abs(out[0, 0, 1] - 0.0378928) < 1e-5


def test_float_model_clips_ccm_output() -> None:
    out = render_float_arrays(np.eye(3) * 3, np.array([0.0, 1.0]), np.array([[[0.9, 0, 0]]]))
    assert out[0, 0, 0] == pytest.approx(1.0)


def test_uniform_pwl_matches_campro_formula_at_ends() -> None:
    kp = np.array([0.2, 0.9, 0.4])
    assert uniform_pwl(np.array([0.0, 0.5, 1.0]), kp).tolist() == pytest.approx([0.2, 0.9, 0.4])


@pytest.mark.parametrize(
    ("stored", "reg"),
    [(0.0, 0), (0.5, 1), (-0.5, -1), (0.3, 0), (1.5, 2), (-1.5, -2), (128.0, 128), (-256.0, -256)],
)
def test_register_rounding_half_away_diagonal_minus_one(stored: float, reg: int) -> None:
    m = np.zeros((3, 3))
    m[0, 0] = 1 + stored / 128  # diagonal: the register holds c - 1
    m[0, 1] = stored / 128  # off-diagonal: the register holds c
    r = ccm_to_registers(m)
    assert r[0, 0] == reg and r[0, 1] == reg


def test_round_half_away() -> None:
    assert round_half_away(np.array([0.5, -0.5, 1.5, -1.5, 0.49])).tolist() == [1, -1, 2, -2, 0]


def test_quantise_roundtrip_and_error_bound() -> None:
    rng = np.random.default_rng(1)
    m = rng.uniform(-3, 3, (3, 3))
    q = quantise_ccm(m)
    assert np.max(np.abs(q - m)) <= 1 / 256 + 1e-12
    np.testing.assert_array_equal(ccm_to_registers(q), ccm_to_registers(m))
    np.testing.assert_allclose(registers_to_ccm(ccm_to_registers(q)), q)


def test_range_checks() -> None:
    m = np.eye(3)
    m[0, 1] = -8.1
    m[2, 2] = -7.5  # diagonal register would be (c-1)*128 = -1088 < -1024
    bad = {(i.row, i.col) for i in ccm_range_issues(m)}
    assert bad == {(0, 1), (2, 2)}
    with pytest.raises(ValueError, match=r"ccm\[0\]\[1\]"):
        quantise_ccm(m)


def _curves() -> dict[str, np.ndarray]:
    x = np.linspace(0, 1, 32)
    rng = np.random.default_rng(7)
    return {
        "gamma2.2": x ** (1 / 2.2),
        "s-curve": 0.5 - 0.5 * np.cos(np.pi * x),
        "two-fold": np.abs(np.sin(np.pi * x ** 0.45)),
        "saw": (x * 3) % 1.0,
        "random": rng.uniform(0, 1, 32),
        "few-knots": np.array([0.0, 1.0, 0.2]),
        "identity": x,
    }


@pytest.mark.parametrize("name", list(_curves()))
def test_fit_never_worse_than_sampling(name: str) -> None:
    g = _curves()[name]
    fit = fit_gamma(g)
    target = target_curve(g)
    fitted = np.sum((pwl_lut(fit.knots_y) - target) ** 2)
    sampled = np.sum((pwl_lut(sample_gamma(g)) - target) ** 2)
    assert fitted <= sampled + 1e-9
    assert fit.knots_y.min() >= 0 and fit.knots_y.max() <= 4095
    assert fit.knots_y.dtype.kind == "i" and fit.knots_y.shape == (45,)


def test_fit_beats_sampling_on_curved_tops() -> None:
    g = _curves()["two-fold"]
    fit = fit_gamma(g)
    assert fit.rms_error < 0.8 * fit.sampled_rms_error


def test_fit_exact_for_curve_representable_by_knots() -> None:
    y = np.clip(np.round(4095 * (X45 / 4095) ** 0.5), 0, 4095).astype(int)
    # a 4096-point CamPro curve that is exactly the hardware PWL
    g = pwl_lut(y) / 4095
    fit = fit_gamma(g)
    assert np.max(np.abs(fit.knots_y - y)) <= 1


def test_integer_ccm_matches_int64_reference() -> None:
    rng = np.random.default_rng(3)
    regs = rng.integers(-300, 300, (3, 3))
    lin = rng.integers(0, 4096, (64, 80, 3)).astype(np.uint16)
    full = regs + 128 * np.eye(3, dtype=np.int64)
    ref = np.clip((lin.astype(np.int64) @ full.T + 64) >> 7, 0, 4095)
    np.testing.assert_array_equal(apply_ccm12(regs, lin), ref)


def test_identity_hardware_is_near_identity() -> None:
    hw = HardwareIsp.from_matrix(np.eye(3), X45)  # linear gamma through the knots
    lin = srgb_to_linear12(np.arange(256, dtype=np.uint8).reshape(1, 256, 1).repeat(3, 2))
    out = render_linear12(hw, lin)
    expected = np.round(lin / 4095 * 255)
    assert np.max(np.abs(out.astype(int) - expected)) <= 1


def test_render_hardware_paths_agree() -> None:
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    hw = HardwareIsp.from_matrix(np.array([[1.2, -0.1, -0.1], [0, 1, 0], [0.3, 0.3, 0.4]]),
                                 fit_gamma(np.linspace(0, 1, 32) ** 0.45).knots_y)
    a = render_hardware(hw, img)
    b = render_hardware(hw, img / 255.0)
    c = render_linear12(hw, srgb_to_linear12(img))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_hardware_close_to_float_for_mild_params() -> None:
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (50, 50, 3), dtype=np.uint8)
    ccm = np.array([[1.1, -0.05, -0.05], [0.02, 0.96, 0.02], [0.0, 0.1, 0.9]])
    g = np.linspace(0, 1, 32) ** (1 / 2.2)
    hw = HardwareIsp.from_matrix(ccm, fit_gamma(g).knots_y)
    diff = render_hardware(hw, img).astype(float) - render_float_arrays(ccm, g, img / 255) * 255
    assert np.mean(np.abs(diff)) < 1.0


def test_yuv_roundtrip_kernel_matrix() -> None:
    rng = np.random.default_rng(4)
    flat = rng.integers(0, 256, (1, 1, 3), dtype=np.uint8).repeat(8, 0).repeat(8, 1)
    nv12 = rgb_to_nv12(flat)
    assert nv12.shape == (12, 8)
    back = nv12_to_rgb(nv12.tobytes(), 8, 8)
    assert np.max(np.abs(back.astype(int) - flat.astype(int))) <= 3
    # white and black map to Y 255/0 with neutral chroma (full range)
    wb = np.zeros((2, 4, 3), np.uint8)
    wb[:, 2:] = 255
    y = rgb_to_nv12(wb)
    assert y[0, 0] == 0 and y[0, 3] == 255 and abs(int(y[2, 0]) - 128) <= 1


def test_nv12_size_checked() -> None:
    with pytest.raises(ValueError, match="needs 96 bytes"):
        nv12_to_rgb(b"\x00" * 10, 8, 8)
