"""The simulated board itself: reached and shaped like a real RV1126 image."""

from __future__ import annotations

import paramiko
import pytest

from campro_edge_sim import control
from campro_edge_sim.testing import SimBoard

pytestmark = pytest.mark.hil


def _ssh(board: SimBoard, password: str = "rockchip") -> paramiko.SSHClient:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect(
        "127.0.0.1",
        board.spec.port,
        "root",
        password=password,
        look_for_keys=False,
        allow_agent=False,
        timeout=10,
    )
    return c


def _run(c: paramiko.SSHClient, cmd: str) -> tuple[int, str]:
    _, out, err = c.exec_command(cmd)
    text = out.read().decode()
    return out.channel.recv_exit_status(), text + err.read().decode()


def test_board_looks_like_an_rv1126_over_real_ssh(make_board) -> None:
    b = make_board()
    c = _ssh(b)
    try:
        assert _run(c, "uname -m") == (0, "armv7l\n")
        rc, compat = _run(c, "tr '\\0' ' ' < /sys/firmware/devicetree/base/compatible")
        assert "rockchip,rv1126" in compat
        rc, mounts = _run(c, "cat /proc/mounts")
        root = next(line for line in mounts.splitlines() if line.split()[1] == "/")
        assert " ro," in f" {root.split()[3]},"
        assert any(
            line.split()[1] == "/userdata" and "rw" in line.split()[3]
            for line in mounts.splitlines()
        )
        rc, out = _run(c, "touch /etc/iqfiles/x")
        assert rc != 0 and "Read-only" in out
        rc, out = _run(c, "readlink /proc/$$/exe; echo $0")
        assert "busybox" in out
        assert _run(c, "pidof rkaiq_3A_server")[0] == 0
        rc, out = _run(c, "ls /etc/iqfiles")
        assert out.strip() == "imx415_CPSIM01_SIM-8M-F20.xml"
        rc, out = _run(
            c,
            "v4l2-ctl -d /dev/video7 --set-fmt-video=width=64,height=32,"
            "pixelformat=NV12 --stream-mmap=3 --stream-count=1 --stream-to=/tmp/f"
            " && wc -c < /tmp/f",
        )
        assert rc == 0 and out.split()[0] == str(64 * 32 * 3 // 2)
        assert _run(c, "v4l2-ctl -d /dev/video3 --stream-mmap --stream-to=/tmp/g")[0] != 0
    finally:
        c.close()
    with pytest.raises(paramiko.AuthenticationException):
        _ssh(b, password="wrong")


def test_two_boards_at_once_and_power_cycle_keeps_userdata(make_board) -> None:
    a, b = make_board(), make_board()
    assert a.spec.port != b.spec.port
    a.shell("echo kept > /userdata/note; echo lost > /tmp/note")
    boots = control.boot_count(a.paths)
    a.power_cycle()
    assert control.boot_count(a.paths) == boots + 1
    assert a.shell("cat /userdata/note") == "kept\n"
    assert a.shell_rc("test -e /tmp/note") != 0
    assert b.shell_rc("test -e /userdata/note") != 0  # boards do not share storage


def test_rkaiq_refuses_a_bad_iq_file(make_board) -> None:
    b = make_board(rw_root=True)
    f = b.paths.rootfs / "etc/iqfiles/imx415_CPSIM01_SIM-8M-F20.xml"  # writable root: host dir
    text = f.read_text()
    at = text.index("[", text.index("<ccMatrix"))
    # drop one number of a [3 3] ccMatrix: Rockchip's parser asserts (aborts)
    f.write_text(text[: at + 1] + text[at + 1 :].split(" ", 1)[1])
    assert b.shell_rc("/etc/init.d/S40rkaiq_3A restart") != 0
    assert b.shell_rc("pidof rkaiq_3A_server") != 0
    log = b.shell("cat /var/log/rkaiq_3A.log")
    assert "Aborted" in log and "ccMatrix" in log


def test_disk_full_is_real_enospc(make_board) -> None:
    b = make_board()
    control.fill_storage(b.paths, "userdata")
    assert b.shell_rc("echo x > /userdata/y") != 0
    control.free_storage(b.paths, "userdata")
    assert b.shell_rc("echo x > /userdata/y") == 0
