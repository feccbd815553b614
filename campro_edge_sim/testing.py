"""Helpers for tests and benchmarks: start/stop simulated boards, enroll this host's key.

`tests/integration/conftest.py` wraps these in pytest fixtures (`sim_board`, `edge_home`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from campro_edge_sim import control
from campro_edge_sim.spec import BoardPaths, SimSpec


def missing_prerequisites() -> str | None:
    """Why simulated boards cannot run here (None if they can)."""
    if os.geteuid() != 0:
        return "simulated boards need root (mount/PID namespaces, tmpfs)"
    missing = [
        t
        for t in ("dropbear", "dropbearkey", "busybox", "unshare", "nsenter", "chroot")
        if shutil.which(t) is None
    ]
    if missing:
        return f"simulated boards need {', '.join(missing)} (apt-get install dropbear-bin busybox)"
    return None


@dataclass
class SimBoard:
    paths: BoardPaths
    spec: SimSpec

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.spec.port}"

    @property
    def name(self) -> str:
        return self.spec.name

    def shell(self, command: str) -> str:
        """Run on the board's console (no SSH); raise on failure."""
        r = control.board_shell(self.paths, command)
        if r.returncode != 0:
            raise AssertionError(f"board command failed ({r.returncode}): {command}\n{r.stderr}")
        return r.stdout

    def shell_rc(self, command: str) -> int:
        return control.board_shell(self.paths, command).returncode

    def read(self, path: str) -> bytes:
        r = control.board_shell(self.paths, f"cat {path} | base64")
        import base64  # noqa: PLC0415

        if r.returncode != 0:
            raise AssertionError(f"cannot read {path} on the board: {r.stderr}")
        return base64.b64decode(r.stdout)

    def power_cycle(self) -> None:
        control.power_cycle(self.paths)

    def wait_up(self, timeout: float = 60.0) -> None:
        control.wait_up(self.paths, timeout)


@contextmanager
def sim_board(home: Path, name: str = "t", **spec_fields: object) -> Iterator[SimBoard]:
    spec = SimSpec(name=name, port=control.free_port(), **spec_fields)  # type: ignore[arg-type]
    paths = control.up(spec, home=home)
    try:
        yield SimBoard(paths, paths.read_spec())
    finally:
        control.down(paths)


def enroll(board: SimBoard, board_name: str = "sim-rv1126") -> None:
    """First contact as a user would do it: trust the host key, install the key."""
    from campro_edge.ops.board_setup import add_board  # noqa: PLC0415

    add_board(board_name, board.host, trust_new_host_key=True)
