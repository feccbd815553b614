"""The board commands through the real CLI: one-line errors with exit codes, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from campro_edge.cli import main
from campro_edge_sim import control
from campro_edge_sim.testing import SimBoard

pytestmark = pytest.mark.hil


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_push_status_capture_rollback(
    board: SimBoard, example_params: Path, tmp_path: Path, capsys
) -> None:
    b = ["--host", board.host, "--board", "sim-rv1126"]
    rc, out, err = run_cli(capsys, "push-iq", str(example_params), *b, "--dry-run")
    assert rc == 0 and "nothing was changed" in out
    rc, out, err = run_cli(capsys, "push-iq", str(example_params), *b)
    assert rc == 0 and "pushed" in out, err
    rc, out, _ = run_cli(capsys, "status", *b)
    assert rc == 0 and "(campro)" in out and "running" in out
    rc, out, _ = run_cli(capsys, "capture", "-o", str(tmp_path / "f.png"), *b)
    assert rc == 0 and (tmp_path / "f.png").stat().st_size > 1000
    rc, out, _ = run_cli(capsys, "rollback", "--stock", *b)
    assert rc == 0 and "stock file" in out
    rc, out, _ = run_cli(capsys, "status", *b, "--json")
    assert rc == 0 and '"origin": "stock"' in out


def test_cli_errors_are_one_line(
    board: SimBoard, example_params: Path, tmp_path: Path, capsys
) -> None:
    rc, out, err = run_cli(
        capsys,
        "push-iq",
        str(tmp_path / "nope.json"),
        "--host",
        board.host,
        "--board",
        "sim-rv1126",
    )
    last = err.strip().splitlines()[-1]  # progress lines come first on stderr
    assert rc == 2 and last.startswith("error: ") and "no such file" in last
    assert "Traceback" not in err
    rc, out, err = run_cli(
        capsys, "status", "--host", f"127.0.0.1:{control.free_port()}", "--board", "sim-rv1126"
    )
    assert rc == 3 and "unreachable" in err and err.count("\n") == 1 and "Traceback" not in err
    rc, out, err = run_cli(capsys, "status", "--host", board.host, "--board", "nope")
    assert rc == 2 and "unknown board" in err
    rc, out, err = run_cli(
        capsys,
        "capture",
        "-o",
        str(tmp_path / "x.txt"),
        "--host",
        board.host,
        "--board",
        "sim-rv1126",
    )
    assert rc == 2 and "image file name" in err
    rc, out, err = run_cli(capsys, "console", "--device", "/dev/nonexistent-tty")
    assert rc == 3 and "cannot open serial console" in err and err.count("\n") == 1
