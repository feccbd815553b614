"""A checked session with one board: connection + probe + the board-side helper script.

Everything the operations (push, status, rollback, capture) do on a board goes through here;
what differs between boards comes from the board description only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from campro_edge.board.config import BoardConfig
from campro_edge.board.probe import ProbeResult, check_board, probe
from campro_edge.board.ssh import (
    BoardConnection,
    ConnectionLost,
    RunResult,
    Target,
    Unreachable,
    board_failure,
    parse_host,
)
from campro_edge.errors import BoardError

FIRMWARE_DIR = Path(__file__).resolve().parents[2] / "firmware"
SCRIPT_NAME = "campro-iq.sh"
LOCK_LEASE_S = 600
BUSY_EXIT = 75


def firmware_script() -> bytes:
    p = FIRMWARE_DIR / SCRIPT_NAME
    try:
        return p.read_bytes()
    except OSError as exc:
        raise BoardError(f"board-side script {p} is missing from this installation") from exc


def resolve_target(cfg: BoardConfig, host: str | None) -> Target:
    host = host or os.environ.get("BOARD_HOST") or None
    if host is None:
        return Target(cfg.ssh.host, cfg.ssh.port, cfg.ssh.user)
    user = cfg.ssh.user
    if "@" in host:
        user, host = host.split("@", 1)
    h, port = parse_host(host, cfg.ssh.port)
    return Target(h, port, user)


@dataclass
class BoardSession:
    cfg: BoardConfig
    conn: BoardConnection
    info: ProbeResult
    owner: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    )
    locked: bool = False

    # --------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        cfg: BoardConfig,
        host: str | None = None,
        *,
        trust_new_host_key: bool = False,
        password: str | None = None,
        key_file: Path | None = None,
    ) -> BoardSession:
        target = resolve_target(cfg, host)
        conn = BoardConnection(
            target,
            cfg.ssh,
            trust_new_host_key=trust_new_host_key,
            password=password,
            key_file=key_file,
        ).connect()
        try:
            info = probe(conn, cfg)
            check_board(info, cfg, target.label)
        except BaseException:
            conn.close()
            raise
        return cls(cfg, conn, info)

    @property
    def label(self) -> str:
        return self.conn.target.label

    @property
    def iq_name(self) -> str:
        assert self.info.iq_name is not None
        return self.info.iq_name

    @property
    def iq_path(self) -> str:
        return f"{self.cfg.iq.dir}/{self.iq_name}"

    @property
    def state_dir(self) -> str:
        return self.cfg.iq.state_dir

    @property
    def script_path(self) -> str:
        return f"{self.state_dir}/bin/{SCRIPT_NAME}"

    @property
    def host_id(self) -> str:
        t = self.conn.target
        return f"{t.host}_{t.port}".replace("/", "_").replace(":", "_")

    def install_mode(self) -> Literal["in-place", "overlay"]:
        if self.cfg.iq.install != "auto":
            return self.cfg.iq.install
        if self.info.overmounted(self.cfg.iq.dir) or not self.info.writable(self.cfg.iq.dir):
            return "overlay"
        return "in-place"

    def reconnect(self, wait_s: float = 60.0) -> None:
        """Connect again (the board may be rebooting): retries until `wait_s` has passed."""
        self.conn.close()
        deadline = time.monotonic() + wait_s
        last: BoardError | None = None
        while time.monotonic() < deadline:
            try:
                self.conn.connect()
                return
            except Unreachable as exc:
                last = exc
                time.sleep(0.5)
        raise last or Unreachable(f"board {self.label} did not come back")

    # --------------------------------------------------------------- commands
    def run(
        self,
        command: str,
        what: str,
        check: bool = True,
        stdin: bytes | None = None,
        timeout: float | None = None,
    ) -> RunResult:
        return self.conn.run(command, what=what, check=check, stdin=stdin, timeout=timeout)

    def script(
        self, verb: str, *args: str, stdin: bytes | None = None, check: bool = True
    ) -> RunResult:
        cmd = " ".join(["sh", shlex.quote(self.script_path), verb, *map(shlex.quote, args)])
        res = self.conn.run(cmd, stdin=stdin, what=f"board step '{verb}'")
        if check and res.rc != 0:
            raise board_failure(f"board step '{verb}'", res)
        return res

    def ensure_script(self) -> None:
        """Install or update the board-side helper (atomically)."""
        data = firmware_script()
        sha = hashlib.sha256(data).hexdigest()
        p = shlex.quote(self.script_path)
        have = self.run(f"sha256sum {p} 2>/dev/null", "check helper", check=False).text.split()
        if have and have[0] == sha:
            return
        d = shlex.quote(f"{self.state_dir}/bin")
        tmp = shlex.quote(f"{self.state_dir}/bin/.{SCRIPT_NAME}.{uuid.uuid4().hex[:12]}")
        self.run(f"mkdir -p {d}", "create state directory")
        res = self.conn.run(
            f"cat > {tmp} && chmod 755 {tmp} && mv -f {tmp} {p}",
            stdin=data,
            what="install board helper",
        )
        if res.rc != 0:
            self.run(f"rm -f {tmp}", "clean up", check=False)
            raise board_failure("install board helper", res)

    def configure(self) -> None:
        env = {
            "CP_IQDIR": self.cfg.iq.dir,
            "CP_IQNAME": self.iq_name,
            "CP_MODE": "overlay" if self.install_mode() == "overlay" else "inplace",
            "CP_START": self.cfg.service.start,
            "CP_STOP": self.cfg.service.stop,
            "CP_HOOK": self.cfg.iq.boot_hook,
        }
        body = "".join(f"{k}={shlex.quote(v)}\n" for k, v in env.items())
        self.script("configure", stdin=body.encode())

    def lock(self) -> None:
        res = self.script("lock", self.owner, str(LOCK_LEASE_S), check=False)
        if res.rc == BUSY_EXIT:
            raise BoardError(f"board {self.label} is busy: {res.err_text}; try again later")
        if res.rc != 0:
            raise board_failure("lock the board", res)
        self.locked = True

    def unlock(self) -> None:
        if self.locked:
            with contextlib.suppress(BoardError):
                self.script("unlock", self.owner, check=False)
            self.locked = False

    def file_sha256(self, path: str) -> str | None:
        out = self.run(f"sha256sum {shlex.quote(path)} 2>/dev/null", "sha256", check=False).text
        return out.split()[0] if out.strip() else None

    # --------------------------------------------------------------- service & capture
    def service_running(self) -> bool:
        return self.run(self.cfg.service.status, "service status", check=False).rc == 0

    def restart_service(self) -> None:
        svc = self.cfg.service
        self.run(f"{svc.stop} >/dev/null 2>&1; true", f"stop {svc.name}", check=False)
        res = self.run(svc.start, f"start {svc.name}", check=False)
        if res.rc != 0:
            tail = (res.err_text or res.text.strip()).splitlines()
            raise BoardError(f"{svc.name} failed to start ({tail[-1] if tail else 'no output'})")
        if svc.settle_s:
            time.sleep(svc.settle_s)
        if not self.service_running():
            raise BoardError(f"{svc.name} is not running after its start")

    def capture_nv12(self) -> tuple[bytes, int, int]:
        c = self.cfg.capture
        dev = self.info.video_nodes[c.node_name]
        path = "/tmp/campro-capture.nv12"
        cmd = c.command.format(device=dev, width=c.width, height=c.height, skip=c.skip, path=path)
        res = self.run(
            f"rm -f {path}; {cmd} >/dev/null",
            "capture",
            check=False,
            timeout=self.cfg.ssh.command_timeout_s,
        )
        if res.rc != 0:
            raise board_failure("capture", res)
        data = self.conn.download(path, what="download frame")
        self.run(f"rm -f {path}", "clean up", check=False)
        need = c.width * c.height * 3 // 2
        if len(data) < need:
            raise BoardError(f"capture: frame has {len(data)} bytes, expected {need}")
        return data[:need], c.width, c.height

    def close(self) -> None:
        self.unlock()
        self.conn.close()

    def __enter__(self) -> BoardSession:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(BoardError, ConnectionLost):
            self.close()
