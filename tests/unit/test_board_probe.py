"""Probe results of a real-looking RV1126 (squashfs root, ext2 /oem and /userdata): pure data."""

from __future__ import annotations

import pytest

from campro_edge.board.config import load_board
from campro_edge.board.probe import Mount, ProbeResult, check_board, probe_script
from campro_edge.errors import BoardError

MOUNTS = """/dev/root / squashfs ro,relatime 0 0
devtmpfs /dev devtmpfs rw,relatime 0 0
proc /proc proc rw,relatime 0 0
tmpfs /tmp tmpfs rw,relatime 0 0
/dev/mmcblk0p7 /oem ext2 rw,relatime 0 0
/dev/mmcblk0p8 /userdata ext2 rw,relatime 0 0"""


def real_probe(**kw: object) -> ProbeResult:
    mounts = [
        Mount(device=d, point=p, fstype=f, options=o.split(","))
        for d, p, f, o, *_ in (line.split() for line in MOUNTS.splitlines())
    ]
    data = dict(
        arch="armv7l",
        compatible=["rockchip,rv1126-evb-ddr3-v13", "rockchip,rv1126"],
        hostname="RV1126_RV1109",
        sensor="imx415",
        module="YT10092",
        lens="IR0147-36IRC-8M-F20",
        mounts=mounts,
        free_kib={"/userdata": 900000},
        processes=["rkaiq_3A_server"],
        video_nodes={"rkispp_scale0": "/dev/video19"},
        iq_files=["imx415_YT10092_IR0147-36IRC-8M-F20.xml"],
    )
    data.update(kw)
    return ProbeResult.model_validate(data)


def test_real_board_layout() -> None:
    p = real_probe()
    assert p.iq_name == "imx415_YT10092_IR0147-36IRC-8M-F20.xml"
    assert not p.writable("/etc/iqfiles") and p.writable("/userdata/campro")
    assert p.mount_of("/oem/usr/bin/RkLunch.sh").point == "/oem"
    assert not p.overmounted("/etc/iqfiles")
    check_board(p, load_board("rv1126"), "board")
    with pytest.raises(BoardError, match="wrong board.*campro,sim-rv1126"):
        check_board(p, load_board("sim-rv1126"), "board")


def test_refusals() -> None:
    cfg = load_board("rv1126")
    with pytest.raises(BoardError, match="architecture aarch64"):
        check_board(real_probe(arch="aarch64"), cfg, "b")
    with pytest.raises(BoardError, match="no imx415 camera module"):
        check_board(real_probe(module=None), cfg, "b")
    with pytest.raises(BoardError, match="does not exist"):
        check_board(real_probe(iq_files=["other.xml"]), cfg, "b")
    with pytest.raises(BoardError, match="no video node"):
        check_board(real_probe(video_nodes={}), cfg, "b")


def test_probe_script_is_posix_sh() -> None:
    import shutil
    import subprocess

    sh = shutil.which("busybox")
    if sh is None:
        pytest.skip("needs busybox")
    script = probe_script(load_board("rv1126"))
    assert subprocess.run([sh, "sh", "-n", "-c", script]).returncode == 0
    assert "imx415@*" in script and "/proc/device-tree" in script
