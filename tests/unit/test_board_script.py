"""The board-side script under real BusyBox ash, on a scratch directory (no board, no root).

Covers the in-place path (the overlay path needs `mount --bind`: see tests/integration).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "firmware" / "campro-iq.sh"
NAME = "imx415_M_L.xml"

pytestmark = pytest.mark.skipif(shutil.which("busybox") is None, reason="needs busybox")


class Board:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "userdata/campro"
        (self.state / "bin").mkdir(parents=True)
        shutil.copy(SCRIPT, self.state / "bin/campro-iq.sh")
        self.iqdir = root / "etc/iqfiles"
        self.iqdir.mkdir(parents=True)
        (self.iqdir / NAME).write_text("stock\n")
        self.hook = root / "oem/usr/bin/RkLunch.sh"
        self.hook.parent.mkdir(parents=True)
        self.hook.write_text("#!/bin/sh\necho vendor\n")
        self.starts = root / "starts"

    def sh(
        self, *args: str, stdin: str | None = None, owner_lock: str = "lock"
    ) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "CP_LOCK": str(self.root / owner_lock)}
        return subprocess.run(
            ["busybox", "sh", str(self.state / "bin/campro-iq.sh"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )

    def configure(self) -> None:
        env = (
            f"CP_IQDIR='{self.iqdir}'\nCP_IQNAME='{NAME}'\nCP_MODE='inplace'\n"
            f"CP_START='sh -c \"echo x >> {self.starts}\"'\nCP_STOP='true'\n"
            f"CP_HOOK='{self.hook}'\n"
        )
        r = self.sh("configure", stdin=env)
        assert r.returncode == 0, r.stderr

    def stage(self, text: str) -> str:
        p = self.state / "staged" / f"{NAME}.tmp"
        p.write_text(text)
        return str(p)

    @property
    def active(self) -> str:
        return (self.iqdir / NAME).read_text()


@pytest.fixture
def board(tmp_path: Path) -> Board:
    b = Board(tmp_path)
    b.configure()
    return b


def test_switch_commit_and_pristine_stock(board: Board) -> None:
    assert (board.state / "stock" / NAME).read_text() == "stock\n"
    assert board.sh("switch", board.stage("one\n")).returncode == 0
    assert board.active == "one\n" and (board.state / "pending").exists()
    assert board.sh("commit", '{"source":"campro"}').returncode == 0
    assert not (board.state / "pending").exists()
    board.configure()  # a later configure never replaces the stock copy
    assert (board.state / "stock" / NAME).read_text() == "stock\n"
    assert board.sh("switch", board.stage("two\n")).returncode == 0
    assert (board.state / "prev" / NAME).read_text() == "one\n"


def test_revert_only_undoes_a_pending_switch(board: Board) -> None:
    board.sh("switch", board.stage("one\n"))
    board.sh("commit", "{}")
    assert board.sh("revert").returncode == 0
    assert board.active == "one\n"  # nothing pending: no-op
    board.sh("switch", board.stage("two\n"))
    assert board.sh("revert").returncode == 0
    assert board.active == "one\n" and not (board.state / "pending").exists()


def test_boot_hook_reverts_unconfirmed_switch_and_restarts(board: Board) -> None:
    assert board.sh("hook-install").returncode == 0
    assert board.sh("hook-install").returncode == 0  # once only
    hook = board.hook.read_text()
    assert hook.startswith("#!/bin/sh\necho vendor\n") and hook.count("campro-iq.sh boot") == 1
    board.sh("switch", board.stage("new\n"))  # power cut before the health check
    assert board.sh("boot").returncode == 0
    assert board.active == "stock\n" and board.starts.read_text() == "x\n"
    assert board.sh("boot").returncode == 0  # nothing to do: no restart
    assert board.starts.read_text() == "x\n"


def test_stage_copy_and_checksum(board: Board) -> None:
    board.sh("switch", board.stage("one\n"))
    board.sh("commit", "{}")
    r = board.sh("stage-copy", "stock")
    assert r.returncode == 0 and Path(r.stdout.strip()).read_text() == "stock\n"
    good = subprocess.run(["sha256sum", r.stdout.strip()], capture_output=True, text=True)
    assert board.sh("check", r.stdout.strip(), good.stdout.split()[0]).returncode == 0
    bad = board.sh("check", r.stdout.strip(), "0" * 64)
    assert bad.returncode != 0 and "checksum mismatch" in bad.stderr
    assert board.sh("stage-copy", "nothing").returncode != 0


def test_lock_is_exclusive_renewable_and_expires(board: Board) -> None:
    assert board.sh("lock", "a", "600").returncode == 0
    r = board.sh("lock", "b", "600")
    assert r.returncode == 75 and "busy" in r.stderr
    assert board.sh("lock", "a", "600").returncode == 0  # the holder renews
    board.sh("unlock", "b")  # not the owner: ignored
    assert board.sh("lock", "b", "600").returncode == 75
    assert board.sh("lock", "b", "-1").returncode == 0  # stale (lease over): taken over
    board.sh("unlock", "b")
    assert board.sh("lock", "c", "600").returncode == 0


def test_missing_configuration_is_reported(tmp_path: Path) -> None:
    b = Board(tmp_path)
    r = b.sh("switch", "/nonexistent")
    assert r.returncode != 0 and "not configured" in r.stderr
    assert b.sh("boot").returncode == 0  # boot hook on an unconfigured board does nothing
