"""compile-enhancer with the REAL rknn-toolkit2 2.5.0 (toolchain venv) on a small enhancer:
ONNX export, RKNN build for rv1126b, simulator inference, accuracy check, manifest."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from campro_edge.board.config import load_board
from campro_edge.enhancer.training import TrainConfig
from campro_edge.enhancer.unet import UNetSpec
from campro_edge.errors import VerificationFailed
from campro_edge.ops.compile import AccuracyThresholds, CompileRequest, Manifest, compile_enhancer
from campro_edge.ops.train import TrainRequest, train_enhancer
from campro_edge.params import load_params
from campro_edge.toolchain import client, environment
from campro_edge.toolchain.protocol import BuildRequest

pytestmark = pytest.mark.toolchain
REPO = Path(__file__).resolve().parents[2]
SIZE = (64, 48)


@pytest.fixture(scope="session", autouse=True)
def _need_simulator() -> None:
    """Overrides tests/integration/conftest.py's skip: these tests need no simulated board."""


@pytest.fixture(scope="module", autouse=True)
def _toolchain() -> None:
    if environment.is_ready():
        return
    msg = f"rknn-toolkit2 toolchain not set up at {environment.toolchain_dir()} (`make toolchain`)"
    if os.environ.get("CI"):
        pytest.fail(msg + ": CI must build it before the tests")
    pytest.skip(msg)


@pytest.fixture(scope="module")
def scene_images(shared_scenes_dir: Path) -> list[Path]:
    return sorted(shared_scenes_dir.glob("*.jpg"))[:8]


@pytest.fixture(scope="module")
def small_enhancer(
    tmp_path_factory: pytest.TempPathFactory, scene_images: list[Path], example_params_path: Path
) -> Path:
    """A depth-3, 8-channel enhancer trained briefly on real scenes for examples/isp.json."""
    out = tmp_path_factory.mktemp("enh") / "enhancer.pt"
    train_enhancer(
        TrainRequest(
            params=load_params(example_params_path),
            images=scene_images,
            output=out,
            spec=UNetSpec(depth=3, base_channels=8),
            config=TrainConfig(steps=40, batch=4, patch=48, lr=3e-3),
            max_side=96,
        )
    )
    return out


def test_probe_reports_the_pinned_toolkit() -> None:
    info = client.probe()
    assert info.toolkit_version == "2.5.0"
    assert info.numpy_version.startswith("1.26")


def test_compile_for_rv1126b_via_the_cli(
    small_enhancer: Path, scene_images: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "enhancer.rknn"
    cmd = [
        sys.executable,
        "-m",
        "campro_edge.cli",
        "compile-enhancer",
        str(small_enhancer),
        "--board",
        "rv1126b",
        "--images",
        *map(str, scene_images),
        "--input-size",
        "64x48",
        "--calibration-images",
        "4",
        "--eval-images",
        "2",
        "-o",
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.read_bytes()[:4] == b"RKNN"
    manifest = Manifest.model_validate_json(out.with_suffix(".manifest.json").read_text())
    assert manifest.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest.target == "rv1126b" and manifest.toolkit_version == "2.5.0"
    assert (manifest.input.width, manifest.input.height) == SIZE
    assert manifest.input.layout == "NHWC" and manifest.input.std_values == [255.0] * 3
    assert manifest.accuracy["images"] == 2
    assert manifest.accuracy["psnr_db_mean"] >= 30.0
    assert manifest.accuracy["ssim_mean"] >= 0.95
    assert manifest.attempts[0].quantization == "int8" and manifest.attempts[0].ok
    assert out.with_suffix(".onnx").is_file() and out.with_suffix(".log").stat().st_size > 0
    assert "simulator vs float on 2 held-out images" in proc.stdout
    assert "ESTIMATE (not a measurement)" in proc.stdout


def test_below_threshold_retries_with_hybrid_then_fails_with_the_numbers(
    small_enhancer: Path, scene_images: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "strict.rknn"
    req = CompileRequest(
        model=small_enhancer,
        board=load_board("rv1126b"),
        output=out,
        images=scene_images,
        input_size=SIZE,
        calibration_images=3,
        eval_images=1,
        thresholds=AccuracyThresholds(min_psnr_db=150.0, min_ssim=0.95),
    )
    with pytest.raises(VerificationFailed) as err:
        compile_enhancer(req)
    msg = str(err.value)
    assert "int8: PSNR" in msg and "int8-mmse+auto-hybrid: PSNR" in msg and "dB" in msg
    assert not out.exists() and not out.with_suffix(".manifest.json").exists()


def test_compiles_from_an_exported_onnx_that_records_its_parameters(
    small_enhancer: Path, scene_images: list[Path], tmp_path: Path
) -> None:
    first = compile_enhancer(
        CompileRequest(
            model=small_enhancer,
            board=load_board("rv1126"),
            output=tmp_path / "e.onnx",
            input_size=SIZE,
            onnx_only=True,
        )
    )
    assert first.rknn is None and first.onnx.is_file()
    result = compile_enhancer(
        CompileRequest(
            model=first.onnx,
            board=load_board("rv1126b"),
            output=tmp_path / "from_onnx.rknn",
            images=scene_images,
            calibration_images=3,
            eval_images=1,
            allow_hybrid=False,
        )
    )
    assert result.rknn is not None and result.rknn.is_file()
    assert (result.width, result.height) == SIZE
    assert result.attempts[-1].accuracy is not None


def test_a_broken_model_comes_back_as_a_failed_stage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage")
    img = np.zeros((16, 16, 3), dtype=np.uint8)
    np.save(tmp_path / "x.npy", img)
    resp = client.build(
        BuildRequest(
            onnx_path=str(bad),
            rknn_path=str(tmp_path / "bad.rknn"),
            target="rv1126b",
            mean_values=[0, 0, 0],
            std_values=[255, 255, 255],
            quantize=False,
            eval_inputs=[str(tmp_path / "x.npy")],
            eval_output_dir=str(tmp_path / "o"),
        ),
        log_path=tmp_path / "worker.log",
    )
    assert not resp.ok and resp.stage in {"load_onnx", "exception"}
    assert (tmp_path / "worker.log").stat().st_size > 0
