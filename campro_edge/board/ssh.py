"""SSH to a board with paramiko: checked host keys, key/agent/password auth, exec-channel I/O.

Transfers use plain exec channels (`cat > file`, `cat file`), so a board without an SFTP server
works the same. Connection failures are retried a bounded number of times with exponential
backoff; host-key and authentication failures are never retried.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import paramiko

from campro_edge.board.config import SshDefaults
from campro_edge.errors import BoardError

# paramiko logs failed handshakes with tracebacks; our errors say it in one line instead
logging.getLogger("paramiko").setLevel(logging.CRITICAL + 1)


class ConnectionLost(BoardError):
    """The SSH connection broke in the middle of an operation."""


class Unreachable(BoardError):
    """No SSH connection could be made."""


def user_dir() -> Path:
    """Per-user state: known_hosts, the key installed on boards, pristine stock IQ copies."""
    d = Path(os.environ.get("CAMPRO_EDGE_HOME", Path.home() / ".config" / "campro-edge"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def known_hosts_path() -> Path:
    return user_dir() / "known_hosts"


def key_path() -> Path:
    return user_dir() / "id_ecdsa"


def load_or_create_key() -> paramiko.PKey:
    p = key_path()
    if p.exists():
        return paramiko.ECDSAKey.from_private_key_file(str(p))
    key = paramiko.ECDSAKey.generate(bits=256)
    key.write_private_key_file(str(p))
    p.chmod(0o600)
    return key


def public_key_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()} campro-edge"


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    user: str

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    @property
    def known_hosts_name(self) -> str:
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


def parse_host(spec: str, default_port: int) -> tuple[str, int]:
    """`HOST`, `HOST:PORT` or `[V6]:PORT`."""
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if spec.count(":") == 1:
        host, port = spec.split(":")
        if not port.isdigit():
            raise BoardError(f"bad port in host {spec!r}")
        return host, int(port)
    return spec, default_port


@dataclass
class RunResult:
    rc: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        return self.out.decode(errors="replace")

    @property
    def err_text(self) -> str:
        return self.err.decode(errors="replace").strip()


def _fingerprint(key: paramiko.PKey) -> str:
    import base64  # noqa: PLC0415
    import hashlib  # noqa: PLC0415

    digest = base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")
    return f"{key.get_name()} SHA256:{digest}"


class BoardConnection:
    """One SSH connection to one board."""

    def __init__(
        self,
        target: Target,
        ssh: SshDefaults,
        *,
        trust_new_host_key: bool = False,
        password: str | None = None,
        key_file: Path | None = None,
    ) -> None:
        self.target = target
        self.ssh = ssh
        self.trust_new_host_key = trust_new_host_key
        self.password = password
        self.key_file = key_file
        self.transport: paramiko.Transport | None = None

    # ------------------------------------------------------------------ connect
    def connect(self) -> BoardConnection:
        last: Exception | None = None
        for attempt in range(self.ssh.retries):
            if attempt:
                time.sleep(self.ssh.backoff_s * 2 ** (attempt - 1))
            try:
                self._connect_once()
                return self
            except paramiko.AuthenticationException as exc:
                self.close()
                raise BoardError(f"authentication failed for {self.target.label}: {exc}") from exc
            except (OSError, EOFError, paramiko.SSHException) as exc:
                last = exc
                self.close()
        raise Unreachable(
            f"board unreachable: cannot connect to {self.target.label} after "
            f"{self.ssh.retries} attempts ({_reason(last)})"
        )

    def _connect_once(self) -> None:
        sock = socket.create_connection(
            (self.target.host, self.target.port), timeout=self.ssh.connect_timeout_s
        )
        t = paramiko.Transport(sock)
        t.banner_timeout = self.ssh.connect_timeout_s
        t.handshake_timeout = self.ssh.connect_timeout_s
        t.set_keepalive(5)
        self.transport = t
        t.start_client(timeout=self.ssh.connect_timeout_s)
        self._check_host_key(t.get_remote_server_key())
        self._authenticate(t)

    def _check_host_key(self, key: paramiko.PKey) -> None:
        path = known_hosts_path()
        hk = paramiko.HostKeys()
        if path.exists():
            hk.load(str(path))
        name = self.target.known_hosts_name
        known = hk.lookup(name)
        if known:
            if key.get_name() in known and known[key.get_name()] == key:
                return
            old = next(iter(known.values()))
            raise BoardError(
                f"host key of {name} CHANGED (known {_fingerprint(old)}, offered "
                f"{_fingerprint(key)}): refusing to connect. If the board was reflashed, "
                f"remove its line from {path} and connect again with --trust-new-host-key"
            )
        if not self.trust_new_host_key:
            raise BoardError(
                f"host key of {name} is unknown ({_fingerprint(key)}): refusing to connect; "
                "check it, then add --trust-new-host-key"
            )
        hk.add(name, key.get_name(), key)
        hk.save(str(path))

    def _authenticate(self, t: paramiko.Transport) -> None:
        user = self.target.user
        if self.password is not None:
            try:
                t.auth_password(user, self.password)
            except paramiko.AuthenticationException as exc:
                raise BoardError(
                    f"authentication failed for {self.target.label}: password refused"
                ) from exc
            return
        keys: list[paramiko.PKey] = []
        if self.key_file is not None:
            try:
                keys.append(paramiko.PKey.from_path(self.key_file))
            except (OSError, paramiko.SSHException) as exc:
                raise BoardError(f"cannot read SSH key {self.key_file}: {exc}") from exc
        if key_path().exists():
            keys.append(load_or_create_key())
        with contextlib.suppress(paramiko.SSHException):
            keys.extend(paramiko.Agent().get_keys())
        for k in keys:
            try:
                t.auth_publickey(user, k)
                if t.is_authenticated():
                    return
            except paramiko.AuthenticationException:
                continue
        raise BoardError(
            f"authentication failed for {self.target.label}: no accepted key "
            f"({len(keys)} tried); install one with `campro-edge board add {self.target.host}"
            f"{'' if self.target.port == 22 else f':{self.target.port}'}`"
        )

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    def __enter__(self) -> BoardConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ commands
    def run(
        self,
        command: str,
        stdin: bytes | None = None,
        timeout: float | None = None,
        check: bool = False,
        what: str | None = None,
    ) -> RunResult:
        """Run a shell command on the board (its own shell, BusyBox ash on Rockchip images)."""
        if self.transport is None or not self.transport.is_active():
            raise ConnectionLost(f"connection to {self.target.label} lost")
        timeout = timeout or self.ssh.command_timeout_s
        deadline = time.monotonic() + timeout
        try:
            chan = self.transport.open_session(timeout=self.ssh.connect_timeout_s)
            chan.settimeout(1.0)
            chan.exec_command(command)
            if stdin is not None:
                view = memoryview(stdin)
                try:
                    for i in range(0, len(view), 32768):
                        _send_all(chan, view[i : i + 32768], deadline)
                    chan.shutdown_write()
                except OSError:
                    # the command ended before reading everything (e.g. no space left): its
                    # exit status and stderr tell why, unless the connection itself is gone
                    if not self.transport.is_active():
                        raise
            out, err = bytearray(), bytearray()
            while True:
                got = False
                while chan.recv_ready():
                    out += chan.recv(65536)
                    got = True
                while chan.recv_stderr_ready():
                    err += chan.recv_stderr(65536)
                    got = True
                if (
                    chan.exit_status_ready()
                    and not chan.recv_ready()
                    and not chan.recv_stderr_ready()
                ):
                    break
                if chan.closed and not chan.exit_status_ready():
                    raise EOFError("channel closed")
                if time.monotonic() > deadline:
                    chan.close()
                    raise BoardError(
                        f"{what or 'command'} timed out after {timeout:.0f}s on {self.target.label}"
                    )
                if not got:
                    chan.status_event.wait(0.02)
                    if not self.transport.is_active():
                        raise EOFError("transport closed")
            rc = chan.recv_exit_status()
            chan.close()
        except (OSError, EOFError, paramiko.SSHException) as exc:
            self.close()
            raise ConnectionLost(
                f"connection to {self.target.label} lost during {what or 'a command'} "
                f"({_reason(exc)})"
            ) from exc
        res = RunResult(rc, bytes(out), bytes(err))
        if check and rc != 0:
            raise board_failure(what or command, res)
        return res

    def upload(self, data: bytes, path: str, what: str = "upload") -> None:
        res = self.run(
            f"cat > {shlex.quote(path)}",
            stdin=data,
            what=what,
            timeout=self.ssh.command_timeout_s + len(data) / 50_000,
        )
        if res.rc != 0:
            raise board_failure(what, res)

    def download(self, path: str, what: str = "download") -> bytes:
        return self.run(f"cat {shlex.quote(path)}", what=what, check=True).out


def _send_all(chan: paramiko.Channel, data: memoryview, deadline: float) -> None:
    sent = 0
    while sent < len(data):
        if time.monotonic() > deadline:
            raise TimeoutError("send timed out")
        try:
            sent += chan.send(data[sent:])
        except TimeoutError:
            continue


def board_failure(what: str, res: RunResult) -> BoardError:
    msg = res.err_text or res.text.strip()
    if "No space left" in msg:
        return BoardError(f"{what}: no space left on the board's device ({msg.splitlines()[-1]})")
    last = msg.splitlines()[-1] if msg else "no output"
    return BoardError(f"{what} failed on the board (exit {res.rc}): {last}")


def _reason(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())
