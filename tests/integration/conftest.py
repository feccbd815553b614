"""Fixtures for tests against simulated boards: real Dropbear on loopback, real BusyBox ash."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from campro_edge_sim.testing import SimBoard, enroll, missing_prerequisites, sim_board

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "isp.json"


@pytest.fixture(scope="session", autouse=True)
def _need_simulator() -> None:
    why = missing_prerequisites()
    if why:
        pytest.skip(why)


@pytest.fixture
def edge_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh campro-edge user directory (known_hosts, key, stock copies) per test."""
    home = tmp_path / "edge-home"
    monkeypatch.setenv("CAMPRO_EDGE_HOME", str(home))
    monkeypatch.delenv("BOARD_HOST", raising=False)
    monkeypatch.delenv("BOARD", raising=False)
    return home


@pytest.fixture
def make_board(tmp_path: Path) -> Iterator[Callable[..., SimBoard]]:
    """Start simulated boards (each on its own free port); all are stopped after the test."""
    stack = ExitStack()
    n = [0]

    def make(**spec: object) -> SimBoard:
        n[0] += 1
        return stack.enter_context(sim_board(tmp_path / "sim", name=f"b{n[0]}", **spec))

    with stack:
        yield make


@pytest.fixture
def board(make_board: Callable[..., SimBoard], edge_home: Path) -> SimBoard:
    """A simulated RV1126 (read-only root) with this test's key installed."""
    b = make_board()
    enroll(b)
    return b


@pytest.fixture
def example_params() -> Path:
    assert EXAMPLE.exists(), f"{EXAMPLE} missing"
    return EXAMPLE


FAULTS: list[tuple[str, str]] = []  # (fault, outcome) of every injected fault


@pytest.fixture
def fault_log() -> list[tuple[str, str]]:
    return FAULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if FAULTS:
        kinds = sorted({f.split(":")[0] for f, _ in FAULTS})
        ok = sum(1 for _, outcome in FAULTS if outcome == "valid")
        terminalreporter.write_line(
            f"simulated-board faults injected: {len(FAULTS)} ({', '.join(kinds)}); "
            f"board left on a valid IQ accepted by the emulated rkaiq after {ok} of them"
        )
