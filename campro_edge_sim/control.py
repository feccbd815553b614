"""Host-side control of simulated boards: up, down, status, power, faults, scenes.

Used by the `campro-edge-sim` command, the pytest fixtures, the bench and the demo.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from campro_edge.errors import CamproError
from campro_edge_sim import faults
from campro_edge_sim.rootfs import board_config, build_rootfs, iq_file_name
from campro_edge_sim.spec import BoardPaths, SimSpec, sim_home


class SimError(CamproError):
    exit_code = 6


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return "campro_edge_sim.supervisor" in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def supervisor_pid(paths: BoardPaths) -> int | None:
    pid = paths.read_state().get("supervisor_pid")
    return pid if _pid_alive(pid) else None


def is_running(paths: BoardPaths) -> bool:
    return supervisor_pid(paths) is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _check_host() -> None:
    missing = [
        t
        for t in ("dropbear", "dropbearkey", "busybox", "unshare", "nsenter", "chroot")
        if shutil.which(t) is None
    ]
    if missing:
        raise SimError(
            f"the simulator needs {', '.join(missing)} (Debian: apt-get install "
            "dropbear-bin busybox util-linux)"
        )
    if os.geteuid() != 0:
        raise SimError("the simulator needs root (it creates mount/PID namespaces and tmpfs)")


def _spec_digest(spec: SimSpec) -> str:
    keep = spec.model_dump(exclude={"port", "internal_port"})
    src = Path(__file__).with_name("rootfs")
    files = sorted(p for p in src.rglob("*") if p.is_file())
    h = hashlib.sha256(json.dumps(keep, sort_keys=True).encode())
    for p in [
        *files,
        Path(__file__).with_name("stock_iq.py"),
        Path(__file__).with_name("sensor.py"),
        Path(__file__).with_name("rootfs.py"),
    ]:
        h.update(p.read_bytes())
    return h.hexdigest()


def up(
    spec: SimSpec, home: Path | None = None, timeout: float = 60.0, fresh: bool = False
) -> BoardPaths:
    """Build (if needed) and boot a simulated board; returns when SSH answers."""
    _check_host()
    board_config(spec)  # validates the board description name
    paths = BoardPaths(spec.name, home)
    if is_running(paths):
        raise SimError(
            f"simulated board {spec.name!r} is already up (port "
            f"{paths.read_spec().port}); `campro-edge-sim down --name {spec.name}`"
        )
    if not _port_free(spec.port):
        raise SimError(f"port {spec.port} on 127.0.0.1 is in use; choose another with --port")
    spec = spec.model_copy(update={"internal_port": free_port()})
    digest = _spec_digest(spec)
    stamp = paths.dir / "rootfs.digest"
    if fresh and paths.dir.exists():
        shutil.rmtree(paths.dir)
    rebuild = (
        fresh or not paths.rootfs.exists() or not stamp.exists() or stamp.read_text() != digest
    )
    paths.write_spec(spec)
    for d in (paths.logs, paths.run, paths.control, paths.storage):
        d.mkdir(parents=True, exist_ok=True)
    if rebuild:
        build_rootfs(paths, spec)
        stamp.write_text(digest)
    if not paths.hostkey.exists():
        _new_host_key(paths)
    for f in ("board_up", "state.json"):
        (paths.run / f).unlink(missing_ok=True)
    log = open(paths.logs / "supervisor.log", "ab")  # noqa: SIM115
    subprocess.Popen(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            sys.executable,
            "-m",
            "campro_edge_sim.supervisor",
            str(paths.dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": _pythonpath()},
    )
    log.close()
    wait_up(paths, timeout)
    return paths


def _pythonpath() -> str:
    here = str(Path(__file__).resolve().parents[1])
    old = os.environ.get("PYTHONPATH")
    return here if not old else f"{here}{os.pathsep}{old}"


def _new_host_key(paths: BoardPaths) -> None:
    paths.hostkey.unlink(missing_ok=True)
    subprocess.run(
        ["dropbearkey", "-t", "ed25519", "-f", str(paths.hostkey)], check=True, capture_output=True
    )


def _ssh_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.settimeout(2)
            return s.recv(64).startswith(b"SSH-2.0-")
    except OSError:
        return False


def wait_up(paths: BoardPaths, timeout: float = 60.0, after_boot: int = 0) -> None:
    """Wait until the board has booted (boot number > after_boot) and its SSH port answers."""
    deadline = time.monotonic() + timeout
    spec = paths.read_spec()
    while time.monotonic() < deadline:
        st = paths.read_state()
        if (
            st.get("state") == "up"
            and st.get("boot_count", 0) > after_boot
            and _ssh_banner(spec.port)
        ):
            return
        if st and not _pid_alive(st.get("supervisor_pid")) and st.get("state") != "booting":
            break
        time.sleep(0.05)
    tail = ""
    for name in ("supervisor.log", "boot.log"):
        p = paths.logs / name
        if p.exists():
            tail += (
                f" [{name}: " + " | ".join(p.read_text(errors="replace").splitlines()[-4:]) + "]"
            )
    raise SimError(f"simulated board {spec.name!r} did not come up within {timeout:.0f}s{tail}")


def down(paths: BoardPaths, timeout: float = 20.0) -> bool:
    pid = supervisor_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.05)
    if _pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    return True


def boards(home: Path | None = None) -> list[BoardPaths]:
    h = home or sim_home()
    if not h.is_dir():
        return []
    return [BoardPaths(p.name, h) for p in sorted(h.iterdir()) if (p / "spec.json").exists()]


def status(paths: BoardPaths) -> dict:
    spec = paths.read_spec()
    st = paths.read_state()
    running = is_running(paths)
    return {
        "name": spec.name,
        "board": spec.board,
        "port": spec.port,
        "state": st.get("state", "down") if running else "down",
        "boot_count": st.get("boot_count", 0),
        "rw_root": spec.rw_root,
        "iq_file": f"{board_config(spec).iq.dir}/{iq_file_name(spec, board_config(spec))}",
        "faults": faults.describe(paths.control) if paths.control.exists() else {},
    }


# ----------------------------------------------------------------------------- power and faults


def boot_count(paths: BoardPaths) -> int:
    return int(paths.read_state().get("boot_count", 0))


def power_cycle(paths: BoardPaths, wait: bool = True, timeout: float = 60.0) -> None:
    """Cut the power now (every board process dies, /oem and /userdata keep what was written)."""
    pid = supervisor_pid(paths)
    if pid is None:
        raise SimError(f"simulated board {paths.name!r} is not up")
    before = boot_count(paths)
    os.kill(pid, signal.SIGHUP)
    if wait:
        wait_up(paths, timeout, after_boot=before)


def change_host_key(paths: BoardPaths) -> None:
    """A new host key (as after a reflash); takes effect with a reboot, done here."""
    _new_host_key(paths)
    power_cycle(paths)


def storage_dir(paths: BoardPaths, part: str) -> Path:
    """The live /oem or /userdata of a running board, seen from the host."""
    pid = supervisor_pid(paths)
    if pid is None:
        raise SimError(f"simulated board {paths.name!r} is not up")
    return Path(f"/proc/{pid}/root") / paths.storage.relative_to("/") / part


def fill_storage(paths: BoardPaths, part: str = "userdata", leave_bytes: int = 0) -> int:
    """Fill /userdata (or /oem) so that at most `leave_bytes` stay free. Returns bytes written."""
    target = storage_dir(paths, part) / ".sim-fill"
    st = os.statvfs(target.parent)
    want = st.f_bavail * st.f_frsize - leave_bytes
    written = 0
    with open(target, "ab") as f:
        block = b"\0" * 65536
        while written < want:
            try:
                written += f.write(block[: min(len(block), want - written)])
                f.flush()
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    break
                raise
    return written


def free_storage(paths: BoardPaths, part: str = "userdata") -> None:
    (storage_dir(paths, part) / ".sim-fill").unlink(missing_ok=True)


def set_scene(paths: BoardPaths, image: Path | None, illuminant: str | None = None) -> None:
    """What the camera looks at: an image file (any format OpenCV reads) or the default scene."""
    paths.control.mkdir(parents=True, exist_ok=True)
    dest = paths.control / "scene.png"
    if image is None:
        dest.unlink(missing_ok=True)
    else:
        import cv2  # noqa: PLC0415

        img = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if img is None:
            raise SimError(f"cannot read scene image {image}")
        cv2.imwrite(str(dest), img)
    if illuminant is not None:
        from campro_edge_sim.sensor import illum  # noqa: PLC0415

        illum(illuminant)
        (paths.control / "illuminant").write_text(illuminant + "\n")


# ----------------------------------------------------------------------------- board shell


def board_pid1(paths: BoardPaths) -> int:
    """Host PID of the board's init (child of the `unshare` the supervisor started)."""
    upid = paths.read_state().get("board_pid")
    try:
        children = Path(f"/proc/{upid}/task/{upid}/children").read_text().split()
    except OSError as exc:
        raise SimError(f"simulated board {paths.name!r} is not running") from exc
    if not children:
        raise SimError(f"simulated board {paths.name!r} is not running")
    return int(children[0])


def board_shell(
    paths: BoardPaths, command: str, timeout: float = 60.0, merge_stderr: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run a command on the board as its console would (BusyBox ash, no SSH involved)."""
    pid = board_pid1(paths)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "TERM": "vt100"}
    return subprocess.run(
        [
            "nsenter",
            "-t",
            str(pid),
            "-m",
            "-u",
            "-p",
            "--",
            "chroot",
            str(paths.rootfs),
            "/bin/sh",
            "-c",
            command,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        timeout=timeout,
        env=env,
    )
