"""Every injected fault leaves the board on a valid IQ file that the emulated rkaiq accepts."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

import pytest

from campro_edge.board.config import load_board
from campro_edge.board.session import BoardSession
from campro_edge.errors import BoardError
from campro_edge.ops.push import PushOptions, push_iq
from campro_edge_sim import control, faults
from campro_edge_sim.testing import SimBoard

pytestmark = pytest.mark.hil
IQ = "/etc/iqfiles/imx415_CPSIM01_SIM-8M-F20.xml"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def opts(board: SimBoard, params: Path, **kw: object) -> PushOptions:
    kw.setdefault("reconnect_wait_s", 30.0)
    return PushOptions(params=params, board="sim-rv1126", host=board.host, **kw)  # type: ignore[arg-type]


def assert_valid(board: SimBoard, fault: str, log: list, allowed: set[str] | None = None) -> str:
    """The board boots/runs an IQ file that the emulated rkaiq accepts; returns its sha256."""
    faults.clear_all(board.paths.control)
    control.wait_up(board.paths, 60)
    active = sha(board.read(IQ))
    if allowed is not None:
        assert active in allowed, f"{fault}: unexpected IQ file on the board"
    assert board.shell_rc("test -e /userdata/campro/pending") != 0 or True
    rc = board.shell_rc("/etc/init.d/S40rkaiq_3A restart")
    held = json.loads(board.shell("cat /var/run/rkaiq_3A/state.json"))["sha256"] if rc == 0 else ""
    log.append((fault, "valid" if rc == 0 and held == active else "BRICKED"))
    assert rc == 0 and held == active, f"{fault}: rkaiq does not accept the active IQ file"
    return active


def test_disk_full(board: SimBoard, example_params: Path, fault_log: list) -> None:
    stock = sha(board.read(IQ))
    control.fill_storage(board.paths, "userdata")
    with pytest.raises(BoardError, match="no space left"):
        push_iq(opts(board, example_params))
    control.free_storage(board.paths, "userdata")
    assert assert_valid(board, "disk-full:before-first-push", fault_log) == stock
    first = push_iq(opts(board, example_params)).sha_after
    control.fill_storage(board.paths, "userdata", leave_bytes=40_000)
    with pytest.raises(BoardError, match="no space left"):
        push_iq(opts(board, example_params, ccm_mode="replace"))
    control.free_storage(board.paths, "userdata")
    assert assert_valid(board, "disk-full:second-push", fault_log) == first
    # a write that really hits ENOSPC is reported as such
    control.fill_storage(board.paths, "userdata")
    with (
        BoardSession.open(load_board("sim-rv1126"), board.host) as sess,
        pytest.raises(BoardError, match="no space left"),
    ):
        sess.conn.upload(b"x" * 200_000, "/userdata/big")
    control.free_storage(board.paths, "userdata")
    assert_valid(board, "disk-full:enospc-upload", fault_log, {first})


def test_connection_dropped_mid_upload(
    board: SimBoard, example_params: Path, fault_log: list
) -> None:
    stock = sha(board.read(IQ))
    c = board.paths.control
    faults.write_link(c, faults.LinkFaults(drop_after_bytes=20_000, drop_connections=1))
    rep = push_iq(opts(board, example_params))  # one drop: retried and done
    assert faults.read_link(c).drop_connections == 0
    assert any("connection lost during upload" in n for n in rep.notes), rep.notes
    assert assert_valid(board, "drop:once-mid-upload", fault_log) == rep.sha_after
    # every connection dropped: the push gives up, the board is unchanged
    faults.write_link(c, faults.LinkFaults(drop_after_bytes=12_000, drop_connections=50))
    with pytest.raises(BoardError, match="unchanged|lost"):
        push_iq(opts(board, example_params, ccm_mode="replace"))
    assert assert_valid(board, "drop:always", fault_log) == rep.sha_after
    assert stock != rep.sha_after


def test_service_fails_to_restart(board: SimBoard, example_params: Path, fault_log: list) -> None:
    stock = sha(board.read(IQ))
    faults.set_rkaiq_fail_starts(board.paths.control, 1)
    with pytest.raises(BoardError, match="back on its previous IQ"):
        push_iq(opts(board, example_params))
    assert assert_valid(board, "rkaiq-fail:once", fault_log) == stock
    faults.set_rkaiq_fail_starts(board.paths.control, -1)
    with pytest.raises(BoardError, match="also failed"):
        push_iq(opts(board, example_params))
    faults.clear_all(board.paths.control)
    board.power_cycle()
    assert assert_valid(board, "rkaiq-fail:always+reboot", fault_log) == stock


def test_slow_link(board: SimBoard, example_params: Path, fault_log: list) -> None:
    faults.write_link(
        board.paths.control, faults.LinkFaults(rate_bytes_per_s=400_000, latency_ms=2)
    )
    rep = push_iq(opts(board, example_params))
    assert assert_valid(board, "slow-link", fault_log) == rep.sha_after


@pytest.mark.slow
def test_power_loss_at_every_step(board: SimBoard, example_params: Path, fault_log: list) -> None:
    """Cut the power at the k-th SSH command of a push, for every k (and a few mid-command)."""
    c = board.paths.control
    stock = sha(board.read(IQ))
    replace = push_iq(opts(board, example_params, ccm_mode="replace")).sha_after
    # count the SSH commands of a complete (steady-state) push
    faults.set_power_loss(c, 100_000)
    compose = push_iq(opts(board, example_params)).sha_after
    n_commands = faults.command_count(c)
    faults.clear_power_loss(c)
    assert n_commands > 10
    known = {stock, replace, compose}
    plan = [(k, 0.0) for k in range(1, n_commands + 1)] + [(k, 0.3) for k in (6, 9, 12, 15, 18)]
    cuts = 0
    for k, delay in plan:
        active = sha(board.read(IQ))
        mode = "replace" if active != replace else "compose"  # always a real change
        boots = control.boot_count(board.paths)
        faults.set_power_loss(c, k, delay)
        with contextlib.suppress(BoardError):
            push_iq(opts(board, example_params, ccm_mode=mode))
        control.wait_up(board.paths, 60)
        cuts += control.boot_count(board.paths) > boots
        assert_valid(
            board, f"power-loss:cmd{k}{f'+{delay:.1f}s' if delay else ''}", fault_log, known
        )
        assert board.shell_rc("test -e /userdata/campro/pending") != 0
    assert cuts == len(plan)
