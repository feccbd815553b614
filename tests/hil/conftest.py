"""Hardware-in-the-loop checks. The same tests run against any board:

    pytest -m hil tests/hil                                  # a fresh simulated board (default)
    pytest -m hil tests/hil --board rv1126 --host 192.168.1.100   # a connected board

A real camera cannot be handed a scene: give it pre-captured frames with --frames DIR
(DIR/{stock,campro}/faces/..., see `campro-edge verify --help`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("hil", "hardware-in-the-loop")
    g.addoption("--board", default=None, help="board description (default: sim-rv1126)")
    g.addoption("--host", default=None, help="board address (default: start a simulated board)")


@dataclass
class HilTarget:
    board: str
    host: str | None


@pytest.fixture(scope="session")
def hil_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HilTarget]:
    board = request.config.getoption("--board")
    host = request.config.getoption("--host")
    if host:
        yield HilTarget(board or "rv1126", host)
        return
    from campro_edge_sim.testing import enroll, missing_prerequisites, sim_board

    why = missing_prerequisites()
    if why:
        pytest.skip(why)
    mp = pytest.MonkeyPatch()
    mp.setenv("CAMPRO_EDGE_HOME", str(tmp_path_factory.mktemp("edge-home")))
    mp.delenv("BOARD_HOST", raising=False)
    mp.delenv("BOARD", raising=False)
    with sim_board(tmp_path_factory.mktemp("sim"), name="hil") as b:
        enroll(b)
        yield HilTarget(board or "sim-rv1126", b.host)
    mp.undo()


@pytest.fixture(scope="session")
def repo() -> Path:
    return Path(__file__).resolve().parents[2]
