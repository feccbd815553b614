"""The simulated board's serial console (UART2 / ttyFIQ0 at 1500000 8N1 on a real RV1126).

Served on a pseudo-terminal: the slave side is the "serial adapter" the host opens with
pyserial. It shows the boot log whenever the board boots, a getty-style login (root/rockchip)
and then a shell prompt; each command line runs in the board's BusyBox ash (through the board's
namespaces, not through SSH, so the console works when the network does not).
"""

from __future__ import annotations

import contextlib
import os
import select
import termios
import threading
import tty
from pathlib import Path

from campro_edge_sim import control
from campro_edge_sim.rootfs import PASSWORD
from campro_edge_sim.spec import BoardPaths


class ConsoleServer:
    def __init__(self, paths: BoardPaths, link: Path | None = None) -> None:
        self.paths = paths
        self.hostname = paths.read_spec().hostname
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        self.device = os.ttyname(self.slave)
        self.link = link or paths.dir / "console"
        self.link.unlink(missing_ok=True)
        self.link.symlink_to(self.device)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = "login"
        self.user = ""
        self.buf = b""
        self.boots = control.boot_count(paths)

    # ---------------------------------------------------------------- output
    def write(self, text: str) -> None:
        data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        while data:
            n = os.write(self.master, data)
            data = data[n:]

    def prompt(self) -> None:
        if self.state == "login":
            self.write(f"\n{self.hostname} login: ")
        elif self.state == "password":
            self.write("Password: ")
        else:
            self.write(f"[root@{self.hostname}:/]# ")

    # ---------------------------------------------------------------- input
    def handle_line(self, line: str) -> None:
        if self.state == "login":
            self.user = line.strip()
            self.state = "password" if self.user else "login"
        elif self.state == "password":
            if self.user == "root" and line == PASSWORD:
                self.state = "shell"
                self.write("\n")
            else:
                self.write("\nLogin incorrect\n")
                self.state = "login"
        else:
            cmd = line.strip()
            if cmd in ("exit", "logout"):
                self.state = "login"
            elif cmd:
                try:
                    r = control.board_shell(self.paths, cmd, timeout=120, merge_stderr=True)
                    self.write(r.stdout)
                except Exception as exc:  # noqa: BLE001 - the console must keep running
                    self.write(f"console: {exc}\n")
        self.prompt()

    def poll_boot(self) -> None:
        n = control.boot_count(self.paths)
        if n != self.boots:
            self.boots = n
            self.state = "login"
            log = (self.paths.logs / "boot.log").read_text(errors="replace")
            self.write(
                log.rsplit("\n[    0.000000] Booting", 1)[-1].join(["\n[    0.000000] Booting", ""])
                if "Booting" in log
                else log
            )

    def serve(self) -> None:
        self.prompt()
        while not self._stop.is_set():
            r, _, _ = select.select([self.master], [], [], 0.1)
            self.poll_boot()
            if not r:
                continue
            try:
                data = os.read(self.master, 1024)
            except OSError:
                break
            for b in data:
                ch = bytes([b])
                if ch in (b"\r", b"\n"):
                    if self.state != "password":
                        self.write("\n")
                    line, self.buf = self.buf.decode(errors="replace"), b""
                    self.handle_line(line)
                elif ch in (b"\x7f", b"\b"):
                    self.buf = self.buf[:-1]
                elif ch == b"\x03":
                    self.buf = b""
                    self.write("^C\n")
                    self.prompt()
                else:
                    self.buf += ch
                    if self.state != "password":
                        os.write(self.master, ch)

    def start(self) -> ConsoleServer:
        self._thread = threading.Thread(target=self.serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        self.link.unlink(missing_ok=True)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def serve_console(paths: BoardPaths, link: Path | None = None) -> int:
    server = ConsoleServer(paths, link)
    print(
        f"serial console of {paths.name!r} on {server.device} (link {server.link}); "
        "Ctrl-C stops it",
        flush=True,
    )
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
