"""compile-enhancer for the original RV1126 (RKNPU1): one clear refusal, and what does work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from campro_edge.board.config import load_board
from campro_edge.enhancer.checkpoint import save_enhancer
from campro_edge.enhancer.runtime import OnnxEnhancer
from campro_edge.enhancer.unet import UNet, UNetSpec
from campro_edge.errors import ToolchainError
from campro_edge.ops.compile import board_input_size, check_target

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def _need_simulator() -> None:
    """Overrides tests/integration/conftest.py's skip: these tests need no simulated board."""


@pytest.fixture()
def tiny_pt(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    return save_enhancer(tmp_path / "tiny.pt", UNet(UNetSpec(depth=3, base_channels=4)), None)


def cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAMPRO_EDGE_TOOLCHAIN": str(tmp_path / "no-toolchain-here")}
    return subprocess.run(
        [sys.executable, "-m", "campro_edge.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )


def test_rv1126_is_refused_in_one_clear_message(tiny_pt: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.rknn"
    proc = cli(
        [
            "compile-enhancer",
            str(tiny_pt),
            "--board",
            "rv1126",
            "--images",
            str(tmp_path),
            "-o",
            str(out),
        ],
        tmp_path,
    )
    assert proc.returncode == ToolchainError.exit_code
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    msg = lines[0]
    for needle in (
        "RKNPU1",
        "rknn-toolkit2 cannot compile",
        "rknn-toolkit 1.x",
        "not on PyPI",
        "ONNX Runtime",
        "--onnx-only",
        "rv1126b",
    ):
        assert needle in msg, needle
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not (tmp_path / "no-toolchain-here").exists()  # refused before touching the toolchain


def test_rv1126_onnx_only_exports_for_the_host(tiny_pt: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.onnx"
    proc = cli(
        ["compile-enhancer", str(tiny_pt), "--board", "rv1126", "--onnx-only", "-o", str(out)],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "run it on the host with ONNX Runtime" in proc.stdout
    assert "fps" not in proc.stdout  # no NPU estimate for an NPU it cannot run on
    enhancer = OnnxEnhancer(out)
    assert (enhancer.width, enhancer.height) == board_input_size(load_board("rv1126"))
    frame = np.zeros((1080, 1920, 3), dtype=np.uint8)
    assert enhancer.enhance(frame).shape == (1080, 1920, 3)


def test_board_input_sizes_are_multiples_of_16() -> None:
    assert board_input_size(load_board("rv1126b")) == (1280, 720)


def test_rknpu2_boards_pass_and_unknown_targets_are_named() -> None:
    check_target(load_board("rv1126b"), onnx_only=False)
    odd = load_board("rv1126b").model_copy(update={"npu_target": "mystery9"})
    with pytest.raises(ToolchainError, match="no target 'mystery9'"):
        check_target(odd, onnx_only=False)


def test_a_bare_campro_state_dict_needs_the_parameters(tmp_path: Path) -> None:
    from campro_edge.errors import InputError
    from campro_edge.ops.compile import CompileRequest, compile_enhancer

    torch.manual_seed(0)
    bare = tmp_path / "UNet.pt"
    torch.save(UNet(UNetSpec(depth=3, base_channels=4)).state_dict(), bare)
    req = CompileRequest(
        model=bare,
        board=load_board("rv1126b"),
        output=tmp_path / "u.rknn",
        images=[tmp_path],
        input_size=(64, 48),
    )
    with pytest.raises(InputError, match="records no ISP parameters; pass --params"):
        compile_enhancer(req)
