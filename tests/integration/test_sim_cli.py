"""`campro-edge-sim` itself: up, status, faults, scene, shell, down."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from campro_edge_sim import control, faults
from campro_edge_sim.cli import main
from campro_edge_sim.spec import BoardPaths

pytestmark = pytest.mark.hil


def test_sim_cli_lifecycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("CAMPRO_SIM_HOME", str(tmp_path / "sim"))
    port = control.free_port()
    assert main(["up", "--name", "x", "--port", str(port)]) == 0
    try:
        assert main(["up", "--name", "x", "--port", str(port)]) == 6  # already up
        assert "already up" in capsys.readouterr().err
        assert main(["status", "--json"]) == 0
        st = json.loads(capsys.readouterr().out)
        assert st[0]["name"] == "x" and st[0]["state"] == "up" and st[0]["port"] == port
        assert main(["fault", "--name", "x", "drop", "--after-bytes", "5000", "--count", "2"]) == 0
        paths = BoardPaths("x", tmp_path / "sim")
        assert faults.read_link(paths.control).drop_connections == 2
        img = tmp_path / "scene.png"
        cv2.imwrite(str(img), np.full((90, 160, 3), (40, 200, 90), np.uint8))
        assert main(["scene", "--name", "x", str(img), "--illuminant", "A"]) == 0
        assert (paths.control / "illuminant").read_text().strip() == "A"
        assert main(["fault", "--name", "x", "clear"]) == 0
        assert faults.read_link(paths.control).drop_connections == 0
        capsys.readouterr()
        assert main(["shell", "--name", "x", "uname", "-m"]) == 0
        assert capsys.readouterr().out == "armv7l\n"
        assert main(["fault", "--name", "x", "power-cut"]) == 0
        assert control.boot_count(paths) == 2
        assert main(["scene", "--name", "x", "missing.png"]) == 6
    finally:
        assert main(["down", "--name", "x"]) == 0
    assert main(["status"]) == 0
    assert "down" in capsys.readouterr().out
    assert main(["fault", "--name", "nope", "clear"]) == 6
