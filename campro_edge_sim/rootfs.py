"""Build the root directory of a simulated board (RV1126 buildroot image layout).

The tree is plain files on the host; `board_init` mounts it read-only (squashfs-like) in the
board's own mount namespace, with tmpfs /oem and /userdata from the supervisor (so they survive
a reboot) and tmpfs /tmp, /run, /dev. Host binaries needed inside (BusyBox, the Python that runs
the rkaiq/v4l2 emulation) are reached through read-only bind mounts listed in `host_binds`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from campro_edge.board.config import BoardConfig, load_board
from campro_edge_sim.spec import BoardPaths, SimSpec

STATIC = Path(__file__).with_name("rootfs")
HOST_DIR = "/usr/lib/campro-sim/host"  # where host directories appear on the board
PASSWORD = "rockchip"
# applets replaced by simulator stubs: the board shares the host's network and kernel, so these
# must not touch the real ones (they keep the board's view in /run/sim-net and /run/dmesg)
STUBBED = (
    "uname",
    "ifconfig",
    "route",
    "udhcpc",
    "ip",
    "dmesg",
    "hwclock",
    "ifup",
    "ifdown",
)  # BR2_TARGET_GENERIC_ROOT_PASSWD of Rockchip's buildroot configs


def board_config(spec: SimSpec) -> BoardConfig:
    return load_board(spec.board)


def iq_file_name(spec: SimSpec, cfg: BoardConfig) -> str:
    return f"{cfg.sensor.name}_{spec.module_name}_{spec.lens_name}.xml"


def host_binds() -> list[tuple[str, str]]:
    """(host directory, board directory) pairs mounted read-only on the board."""
    binds = [("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"), ("/usr/lib64", "/lib64")]
    paths: list[str] = [str(Path(sys.base_prefix).resolve())]
    import numpy  # noqa: PLC0415 - locate site directories of the running environment
    import pydantic

    import campro_edge

    for mod in (numpy, pydantic, campro_edge):
        site = str(Path(mod.__file__).resolve().parents[1])
        if site not in paths:
            paths.append(site)
    for i, p in enumerate(paths):
        binds.append((p, f"{HOST_DIR}/p{i}"))
    return binds


def _python_wrapper(binds: list[tuple[str, str]]) -> str:
    prefix = binds[2][1]
    site = ":".join(b for _, b in binds[3:])
    exe = Path(sys.executable).resolve()
    rel = (
        exe.relative_to(Path(sys.base_prefix).resolve())
        if exe.is_relative_to(Path(sys.base_prefix).resolve())
        else Path("bin") / f"python{sys.version_info.major}.{sys.version_info.minor}"
    )
    return (
        "#!/bin/sh\n"
        "# simulator plumbing: the host's Python, used by the rkaiq/v4l2 emulation only\n"
        f"export LD_LIBRARY_PATH={prefix}/lib PYTHONHOME={prefix} PYTHONPATH={site}\n"
        "export PYTHONDONTWRITEBYTECODE=1 PYTHONNOUSERSITE=1 OMP_NUM_THREADS=1\n"
        f'exec {prefix}/{rel} "$@"\n'
    )


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def build_rootfs(paths: BoardPaths, spec: SimSpec) -> None:
    """(Re)create the board root directory and the host-side login plumbing."""
    cfg = board_config(spec)
    root = paths.rootfs
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(STATIC, root, symlinks=True, ignore=shutil.ignore_patterns("oem-seed"))
    for d in (
        "bin",
        "sbin",
        "usr/bin",
        "usr/sbin",
        "lib/x86_64-linux-gnu",
        "lib64",
        "proc",
        "sys",
        "dev",
        "tmp",
        "run",
        "oem",
        "userdata",
        "root",
        "mnt",
        "var",
        "etc",
        ".sim",
        cfg.iq.dir.lstrip("/"),
    ):
        (root / d).mkdir(parents=True, exist_ok=True)
    # BusyBox and its applets (the board's userland)
    shutil.copy2(shutil.which("busybox") or "/bin/busybox", root / "bin/busybox")
    applets = subprocess.run(
        [str(root / "bin/busybox"), "--list-full"], check=True, capture_output=True, text=True
    ).stdout.split()
    for app in applets:
        target = root / app
        if target.exists() or target.is_symlink() or Path(app).name in STUBBED:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(os.path.relpath(root / "bin/busybox", target.parent))
    arch = spec.arch or cfg.arch
    _write(
        root / "bin/uname",
        f'#!/bin/busybox sh\n/bin/busybox uname "$@" | /bin/busybox sed "s/x86_64/{arch}/g"\n',
        0o755,
    )
    for name in STUBBED[1:]:
        _write(
            root / ("sbin" if name != "dmesg" else "bin") / name,
            f'#!/bin/sh\nexec /usr/lib/campro-sim/netstub {name} "$@"\n',
            0o755,
        )
    for link, dest in (("var/run", "../run"), ("var/log", "../tmp"), ("var/lock", "../tmp")):
        (root / link).symlink_to(dest)
    # root's SSH keys live on /userdata (the root filesystem is read-only)
    (root / "root/.ssh").symlink_to("../userdata/.ssh")
    binds = host_binds()
    for _, board_dir in binds:
        (root / board_dir.lstrip("/")).mkdir(parents=True, exist_ok=True)
    _write(root / "usr/lib/campro-sim/python", _python_wrapper(binds), 0o755)
    _write(root / "etc/hostname", spec.hostname + "\n")
    _write(
        root / "etc/os-release",
        "NAME=Buildroot\nVERSION=2018.02-rc3\nID=buildroot\n"
        'PRETTY_NAME="Buildroot 2018.02-rc3 (campro-edge simulated RV1126)"\n',
    )
    _write(root / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    _write(root / "etc/group", "root:x:0:\n")
    _write(
        root / "etc/profile",
        "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1='[root@$(hostname):$PWD]# '\n",
    )
    _write(
        root / "etc/fstab",
        "/dev/root / squashfs ro 0 0\nproc /proc proc defaults 0 0\n"
        "tmpfs /tmp tmpfs defaults 0 0\n/dev/block/by-name/oem /oem ext2 defaults 0 2\n"
        "/dev/block/by-name/userdata /userdata ext2 defaults 0 2\n",
    )
    # device tree (the kernel's /proc/device-tree is a link to this directory)
    dt = root / "sys/firmware/devicetree/base"
    compatible = spec.compatible or cfg.compatible
    _write(dt / "compatible", "\0".join(compatible) + "\0")
    _write(dt / "model", f"Rockchip {cfg.soc.upper()} simulated board (campro-edge-sim)\0")
    node = dt / spec.i2c_node / f"{cfg.sensor.name}@{spec.sensor_addr}"
    _write(node / "compatible", f"sony,{cfg.sensor.name}\0")
    _write(node / "rockchip,camera-module-index", "\0\0\0\0")
    _write(node / "rockchip,camera-module-facing", "back\0")
    _write(node / "rockchip,camera-module-name", spec.module_name + "\0")
    _write(node / "rockchip,camera-module-lens-name", spec.lens_name + "\0")
    # video nodes of the ISP (names as on an RV1126: rkisp/rkispp entities)
    names = [
        "rkisp_mainpath",
        "rkisp_selfpath",
        "rkisp_rawwr0",
        "rkisp-statistics",
        "rkisp-input-params",
        "rkispp_input_image",
        "rkispp_m_bypass",
        "rkispp_scale0",
        "rkispp_scale1",
        "rkispp_scale2",
        "rkispp_input_params",
        "rkispp-stats",
    ]
    for i, n in enumerate(names):
        _write(root / f"sys/class/video4linux/video{i}/name", n + "\n")
    _write(
        root / "sys/class/video4linux/v4l-subdev2/name",
        f"m00_b_{cfg.sensor.name} 1-00{spec.sensor_addr}\n",
    )
    _write(
        root / "etc/.sim-cpuinfo",
        "processor\t: 0\nmodel name\t: ARMv7 Processor rev 5 (v7l)\nBogoMIPS\t: 48.00\n"
        "Features\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae\n"
        "CPU implementer\t: 0x41\nCPU architecture: 7\nCPU part\t: 0xc07\n\n"
        "Hardware\t: Generic DT based system\n",
    )
    # the stock IQ file of the simulated module (this project's own simulated calibration)
    from campro_edge_sim.stock_iq import stock_iq_xml  # noqa: PLC0415

    iq_dir = root / cfg.iq.dir.lstrip("/")
    (iq_dir / iq_file_name(spec, cfg)).write_bytes(
        stock_iq_xml(cfg.sensor.name, spec.module_name, spec.lens_name)
    )
    _build_login(paths, spec)


def _sha512_crypt(password: str) -> str:
    out = subprocess.run(["openssl", "passwd", "-6", password], capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.startswith("$6$"):
        return out.stdout.strip()
    import crypt  # noqa: PLC0415 - fallback where openssl is missing (Python < 3.13)

    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))


def _build_login(paths: BoardPaths, spec: SimSpec) -> None:
    """passwd/shadow/shells that Dropbear sees, and the login shell that enters the board."""
    home = paths.rootfs / "root"
    hashed = _sha512_crypt(PASSWORD)
    _write(paths.etc / "passwd", f"root:x:0:0:root:{home}:{paths.login_shell}\n")
    _write(paths.etc / "shadow", f"root:{hashed}:19000:0:99999:7:::\n", 0o600)
    _write(paths.etc / "shells", f"{paths.login_shell}\n/bin/sh\n")
    c = paths.control
    _write(
        paths.login_shell,
        f"""#!/bin/sh
# Dropbear's login shell for simulated board {spec.name}: every session and command enters the
# board root (BusyBox ash). Host-side fault hook: power loss after N commands.
C={c}
if [ -f "$C/power_loss_at" ]; then
    n=$(cat "$C/cmd_count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$C/cmd_count"
    if [ "$n" -ge "$(cat "$C/power_loss_at")" ]; then
        rm -f "$C/power_loss_at"
        d=$(cat "$C/power_loss_delay" 2>/dev/null || echo 0)
        if [ "$d" = 0 ]; then kill -USR1 1; sleep 30; exit 255; fi
        (sleep "$d"; kill -USR1 1) >/dev/null 2>&1 &
    fi
fi
[ $# -eq 0 ] && set -- -l
exec /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM="${{TERM:-vt100}}" \\
    PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/sbin/chroot {paths.rootfs} /bin/sh "$@"
""",
        0o755,
    )
