"""The "power supply and flash chips" of one simulated board (a host-side daemon).

Runs in a private mount namespace (started through `unshare -m`) that holds the board's
persistent storage: tmpfs /oem and /userdata, small so they can be filled. It relays the public
SSH port (fault-injecting proxy) and boots the board (`board_init` in new mount/PID/UTS
namespaces) again whenever it reboots or loses power. SIGTERM: shut down and save storage.
SIGHUP: power-cycle the board now.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

from campro_edge_sim.proxy import LinkProxy
from campro_edge_sim.rootfs import STATIC
from campro_edge_sim.spec import BoardPaths


class Supervisor:
    def __init__(self, paths: BoardPaths) -> None:
        self.paths = paths
        self.spec = paths.read_spec()
        self.stopping = False
        self.board: subprocess.Popen[bytes] | None = None
        self.boot_count = 0
        self.lock = threading.Lock()

    def write_state(self, state: str) -> None:
        tmp = self.paths.run / ".state.tmp"
        tmp.write_text(
            json.dumps(
                {
                    "supervisor_pid": os.getpid(),
                    "state": state,
                    "boot_count": self.boot_count,
                    "port": self.spec.port,
                    "board_pid": self.board.pid if self.board else None,
                }
            )
        )
        tmp.replace(self.paths.state_file)

    def mount_storage(self) -> None:
        for part, kib in (("oem", self.spec.oem_kib), ("userdata", self.spec.userdata_kib)):
            mnt = self.paths.storage / part
            mnt.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=755", part, str(mnt)], check=True
            )
            saved = self.paths.persist / f"{part}.tar"
            if saved.exists():
                with tarfile.open(saved) as tar:
                    tar.extractall(mnt, filter="tar")
            elif part == "oem":
                subprocess.run(["cp", "-a", f"{STATIC}/oem-seed/.", str(mnt)], check=True)
            elif part == "userdata":
                (mnt / ".ssh").mkdir(mode=0o700)

    def save_storage(self) -> None:
        self.paths.persist.mkdir(exist_ok=True)
        for part in ("oem", "userdata"):
            tmp = self.paths.persist / f".{part}.tar"
            with tarfile.open(tmp, "w") as tar:
                tar.add(self.paths.storage / part, arcname=".")
            tmp.replace(self.paths.persist / f"{part}.tar")

    def boot(self) -> None:
        (self.paths.run / "board_up").unlink(missing_ok=True)
        self.boot_count += 1
        log = open(self.paths.logs / "supervisor.log", "ab")  # noqa: SIM115
        log.write(f"{time.strftime('%H:%M:%S')} boot #{self.boot_count}\n".encode())
        self.board = subprocess.Popen(
            [
                "unshare",
                "-m",
                "-u",
                "-p",
                "-f",
                "--propagation",
                "private",
                "--kill-child",
                sys.executable,
                "-m",
                "campro_edge_sim.board_init",
                str(self.paths.dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self.write_state("booting")

    def power_cut(self) -> None:
        with self.lock:
            if self.board and self.board.poll() is None:
                self.board.kill()

    def run(self) -> int:
        for d in (self.paths.logs, self.paths.run, self.paths.control):
            d.mkdir(parents=True, exist_ok=True)
        self.mount_storage()
        proxy = LinkProxy(self.spec.port, self.spec.internal_port, self.paths.control)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        signal.signal(signal.SIGINT, lambda *_: self._stop())
        signal.signal(signal.SIGHUP, lambda *_: self.power_cut())
        self.boot()
        while True:
            assert self.board is not None
            if (self.paths.run / "board_up").exists():
                self.write_state("up")
            try:
                rc = self.board.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            if self.stopping:
                break
            with open(self.paths.logs / "supervisor.log", "a") as log:
                log.write(f"{time.strftime('%H:%M:%S')} board stopped (rc={rc}), rebooting\n")
            self.write_state("rebooting")
            time.sleep(0.2)
            self.boot()
        proxy.stop()
        self.save_storage()
        self.write_state("down")
        return 0

    def _stop(self) -> None:
        self.stopping = True
        self.power_cut()


def main(argv: list[str]) -> int:
    board_dir = Path(argv[0])
    return Supervisor(BoardPaths(board_dir.name, board_dir.parent)).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
