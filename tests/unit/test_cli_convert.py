from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from campro_edge.cli import main
from campro_edge.iq.rkaiq_xml import read_isp_config


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "campro_edge.cli", *args], capture_output=True, text=True
    )


def stock_path(shared_iq_dir: Path) -> Path:
    return shared_iq_dir / "imx415_YT10092_IR0147-36IRC-8M-F20.xml"


def test_convert_example(shared_iq_dir: Path, example_params_path: Path, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.xml"
    rc = main(["convert", str(example_params_path), "--board", "rv1126",
               "--base", str(stock_path(shared_iq_dir)), "-o", str(out), "--json"])
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fidelity"]["all_inputs"]["pixels"] == 256**3
    assert report["output_sha256"]
    cfg = read_isp_config(out.read_bytes())
    assert cfg.gamma_curves["curve_normal"].tolist() == report["hardware"]["gamma_knots_y"]


BAD_JSON = {
    "nan": '{"ccm": [[1,0,0],[0,1,0],[0,0,1]], "gamma": [0, NaN, 1]}',
    "shape": '{"ccm": [[1,0,0],[0,1,0]], "gamma": [0, 1]}',
    "gamma range": '{"ccm": [[1,0,0],[0,1,0],[0,0,1]], "gamma": [0, 2]}',
    "ccm range": '{"ccm": [[1,0,0],[0,1,0],[0,0,-7.5]], "gamma": [0, 1]}',
    "not json": "ccm = 1",
}


@pytest.mark.parametrize("case", list(BAD_JSON))
def test_bad_params_exit_2_one_line(case: str, tmp_path: Path, shared_iq_dir: Path) -> None:
    p = tmp_path / "isp.json"
    p.write_text(BAD_JSON[case])
    r = run_cli("convert", str(p), "--base", str(stock_path(shared_iq_dir)),
                "-o", str(tmp_path / "o.xml"))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o.xml").exists()


@pytest.mark.parametrize("case", ["truncated", "not-iq", "missing"])
def test_bad_stock_exit_2(case: str, tmp_path: Path, shared_iq_dir: Path,
                          example_params_path: Path) -> None:
    base = tmp_path / "stock.xml"
    if case == "truncated":
        base.write_bytes(stock_path(shared_iq_dir).read_bytes()[:5000])
    elif case == "not-iq":
        base.write_text("<html></html>")
    r = run_cli("convert", str(example_params_path), "--base", str(base),
                "-o", str(tmp_path / "o.xml"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "o.xml").exists()


def test_unknown_board(tmp_path: Path, example_params_path: Path) -> None:
    r = run_cli("convert", str(example_params_path), "--board", "nosuch", "--base", "x",
                "-o", str(tmp_path / "o.xml"))
    assert r.returncode == 2 and "unknown board" in r.stderr


def test_schema_prints_json() -> None:
    r = run_cli("schema")
    assert r.returncode == 0 and json.loads(r.stdout)["title"].startswith("CamPro")


def test_simulate_writes_images(tmp_path: Path, example_params_path: Path,
                                shared_scenes_dir: Path) -> None:
    img = sorted(shared_scenes_dir.glob("*.jpg"))[0]
    for model in ("hardware", "float"):
        r = run_cli("simulate", str(example_params_path), str(img), "-o",
                    str(tmp_path / model), "--model", model)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / model / f"{img.stem}.png").exists()


def test_help_teaches() -> None:
    for cmd in ("convert", "simulate", "schema"):
        r = run_cli(cmd, "--help")
        assert r.returncode == 0 and "example" in r.stdout.lower() or cmd == "schema"
