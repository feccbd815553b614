"""ONNX export at a fixed size and host inference with ONNX Runtime, against torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from campro_edge.enhancer.onnx_export import export_onnx, read_onnx_info
from campro_edge.enhancer.runtime import OnnxEnhancer
from campro_edge.enhancer.training import enhance_float
from campro_edge.enhancer.unet import UNet, UNetSpec
from campro_edge.errors import InputError


@pytest.fixture()
def net() -> UNet:
    torch.manual_seed(0)
    return UNet(UNetSpec(depth=3, base_channels=4)).eval()


def test_onnx_runtime_matches_torch_with_the_clamp(net: UNet, tmp_path: Path) -> None:
    with torch.no_grad():  # push some outputs outside [0, 1] so the clamp matters
        net.head.bias.copy_(torch.tensor([-0.5, 0.5, 1.2]))
    params = {"schema_version": 1, "ccm": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "gamma": [0, 1]}
    info = export_onnx(net, tmp_path / "e.onnx", 48, 32, params)
    assert (info.width, info.height) == (48, 32)
    rgb = np.random.default_rng(0).integers(0, 256, (32, 48, 3), dtype=np.uint8)
    ort_out = OnnxEnhancer(tmp_path / "e.onnx").run(rgb)
    torch_out = enhance_float(net, rgb)
    assert ort_out.shape == (32, 48, 3)
    assert ort_out.min() >= 0.0 and ort_out.max() <= 1.0
    assert (ort_out == 0.0).any() and (ort_out == 1.0).any()
    np.testing.assert_allclose(ort_out, torch_out, atol=1e-5)
    back = read_onnx_info(tmp_path / "e.onnx")
    assert back.spec == net.spec and back.isp_params == params
    assert (back.width, back.height) == (48, 32)


def test_size_must_be_a_multiple_of_the_stride(net: UNet, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="multiples of 4"):
        export_onnx(net, tmp_path / "e.onnx", 50, 32)


def test_enhance_resizes_any_image(net: UNet, tmp_path: Path) -> None:
    export_onnx(net, tmp_path / "e.onnx", 32, 16)
    rgb = np.full((30, 70, 3), 128, dtype=np.uint8)
    out = OnnxEnhancer(tmp_path / "e.onnx").enhance(rgb)
    assert out.shape == (30, 70, 3) and out.dtype == np.uint8


def test_unreadable_onnx_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "bad.onnx").write_bytes(b"not onnx")
    with pytest.raises(InputError):
        read_onnx_info(tmp_path / "bad.onnx")
