"""PID 1 of a simulated board: mounts its filesystems, runs the init scripts, serves SSH.

Runs on the host side of the board's own mount/PID/UTS namespaces (started by the supervisor
through `unshare`). Everything the board does happens under `chroot <rootfs>` in BusyBox ash.
When this process exits the kernel kills every process of the board: that is a power cut.
Exit codes: 10 power loss (SIGUSR1, fault injection), 20 reboot (SIGTERM: BusyBox `reboot`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from campro_edge_sim.rootfs import board_config, host_binds
from campro_edge_sim.spec import BoardPaths

EXIT_POWER_LOSS = 10
EXIT_REBOOT = 20

DEV_NODES = [
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
]


def _run(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def _bind(src: Path | str, dst: Path, ro: bool = False) -> None:
    _run("mount", "--bind", str(src), str(dst))
    if ro:
        _run("mount", "-o", "remount,bind,ro", str(dst))


def mount_board(paths: BoardPaths) -> None:
    spec = paths.read_spec()
    root = paths.rootfs
    _bind(root, root, ro=not spec.rw_root)
    for host_dir, board_dir in host_binds():
        _bind(host_dir, root / board_dir.lstrip("/"), ro=True)
    _bind(paths.storage / "oem", root / "oem")
    _bind(paths.storage / "userdata", root / "userdata")
    _bind(paths.control, root / ".sim")
    _run("mount", "-t", "tmpfs", "-o", "size=16m,mode=1777", "tmpfs", str(root / "tmp"))
    _run("mount", "-t", "tmpfs", "-o", "size=4m,mode=755", "tmpfs", str(root / "run"))
    _run("mount", "-t", "tmpfs", "-o", "size=64k,mode=755", "devtmpfs", str(root / "dev"))
    dev = root / "dev"
    for name, major, minor in DEV_NODES:
        os.mknod(dev / name, 0o666 | 0o020000, os.makedev(major, minor))
    (dev / "pts").mkdir()
    _bind("/dev/pts", dev / "pts")
    (dev / "ptmx").symlink_to("pts/ptmx")
    (dev / "shm").mkdir()
    for i in range(12):
        (dev / f"video{i}").touch()
    for n in ("media0", "media1", "v4l-subdev2"):
        (dev / n).touch()
    _run("mount", "-t", "proc", "proc", str(root / "proc"))
    _bind(root / "etc/.sim-cpuinfo", root / "proc/cpuinfo", ro=True)
    for name in ("passwd", "shadow", "shells"):
        _bind(paths.etc / name, Path("/etc") / name, ro=True)
    _run("hostname", spec.hostname)


def main(argv: list[str]) -> int:
    paths = BoardPaths(Path(argv[0]).name, Path(argv[0]).parent)
    spec = paths.read_spec()

    def on_signal(signum: int, _frame: object) -> None:
        os._exit(EXIT_POWER_LOSS if signum == signal.SIGUSR1 else EXIT_REBOOT)

    signal.signal(signal.SIGUSR1, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    boot_log = open(paths.logs / "boot.log", "ab", buffering=0)  # noqa: SIM115
    boot_log.write(
        f"\n[    0.000000] Booting Linux on physical CPU 0x0 ({spec.name})\n"
        "[    0.000000] Linux version 4.19.111 (campro-edge-sim) #1 SMP PREEMPT\n"
        f"[    0.000000] Machine model: {board_config(spec).description}\n".encode()
    )
    mount_board(paths)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "TERM": "vt100"}
    boot_text = (paths.logs / "boot.log").read_bytes().rsplit(b"\n[    0.000000] Booting", 1)
    (paths.rootfs / "run/dmesg").write_bytes(b"[    0.000000] Booting" + boot_text[-1])
    rcs = subprocess.run(
        ["chroot", str(paths.rootfs), "/etc/init.d/rcS"],
        env=env,
        stdout=boot_log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    boot_log.write(f"\nWelcome to {spec.hostname}\n{spec.hostname} login: \n".encode())
    if rcs.returncode != 0:
        boot_log.write(f"rcS exited with {rcs.returncode}\n".encode())
    with open(paths.logs / "dropbear.log", "ab") as dlog:
        subprocess.Popen(
            [
                "dropbear",
                "-F",
                "-E",
                "-p",
                f"127.0.0.1:{spec.internal_port}",
                "-r",
                str(paths.hostkey),
                "-P",
                str(paths.run / "dropbear.pid"),
            ],
            stdout=dlog,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    (paths.run / "board_up").write_text(f"{time.time()}\n")
    while True:
        try:
            os.waitpid(-1, 0)  # reap every orphan of the board
        except ChildProcessError:
            time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
