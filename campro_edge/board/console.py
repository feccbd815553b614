"""The board's serial console with pyserial (1500000 8N1 on Rockchip's debug UART).

For when the network is not up: log in, run a command (exit status included), read the boot
log, bring networking up.
"""

from __future__ import annotations

import re
import time

import serial

from campro_edge.board.config import ConsoleSpec
from campro_edge.errors import BoardError

MARK = "__CAMPRO_RC__"


class SerialConsole:
    def __init__(
        self, spec: ConsoleSpec, device: str | None = None, baud: int | None = None
    ) -> None:
        self.spec = spec
        self.device = device or spec.device
        try:
            self.ser = serial.Serial(
                self.device,
                baud or spec.baud,
                bytesize=8,
                parity="N",
                stopbits=1,
                timeout=0.05,
                xonxoff=False,
                rtscts=False,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise BoardError(f"cannot open serial console {self.device}: {exc}") from exc
        self.prompt = re.compile(spec.shell_prompt.encode())

    def close(self) -> None:
        self.ser.close()

    def __enter__(self) -> SerialConsole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, text: str) -> None:
        self.ser.write(text.encode())
        self.ser.flush()

    def read_for(self, seconds: float) -> str:
        end = time.monotonic() + seconds
        out = bytearray()
        while time.monotonic() < end:
            out += self.ser.read(4096)
        return out.decode(errors="replace")

    def expect(self, patterns: list[re.Pattern[bytes]], timeout: float) -> tuple[int, str]:
        end = time.monotonic() + timeout
        buf = bytearray()
        while time.monotonic() < end:
            buf += self.ser.read(4096)
            for i, p in enumerate(patterns):
                if p.search(buf):
                    return i, buf.decode(errors="replace")
        seen = buf.decode(errors="replace").strip().splitlines()
        raise BoardError(
            f"serial console {self.device}: no answer within {timeout:.0f}s "
            f"(last output: {seen[-1][:80] if seen else 'nothing'}; check the cable, "
            f"the baud rate {self.ser.baudrate} and that the board is on)"
        )

    def login(self, timeout: float = 15.0) -> None:
        login = re.compile(re.escape(self.spec.login_prompt.strip()).encode())
        passwd = re.compile(rb"[Pp]assword: ?$")
        self.send("\r")
        i, _ = self.expect([self.prompt, login], timeout)
        if i == 0:
            return  # already logged in
        self.send(self.spec.user + "\r")
        i, _ = self.expect([passwd, self.prompt], timeout)
        if i == 0:
            self.send(self.spec.password + "\r")
            i, text = self.expect([self.prompt, re.compile(rb"incorrect"), login], timeout)
            if i != 0:
                raise BoardError(f"serial console {self.device}: login as {self.spec.user} refused")

    def run(self, command: str, timeout: float = 30.0) -> tuple[int, str]:
        """Run one command in the console's shell; returns (exit status, output)."""
        self.ser.reset_input_buffer()
        self.send(f"{command}; echo {MARK}$?\r")
        pat = re.compile(rb"\n" + MARK.encode() + rb"(\d+)")
        end = time.monotonic() + timeout
        buf = bytearray()
        while time.monotonic() < end:
            buf += self.ser.read(4096)
            m = pat.search(buf.replace(b"\r", b""))
            if m and self.prompt.search(bytes(buf)):
                text = buf.replace(b"\r", b"").decode(errors="replace")
                body = text[: text.find("\n" + MARK)]
                lines = body.split("\n")
                if lines and command in lines[0]:
                    lines = lines[1:]  # the echoed command line
                return int(m.group(1)), "\n".join(lines).strip("\n")
        raise BoardError(f"serial console: `{command}` did not finish within {timeout:.0f}s")

    def boot_log(self) -> str:
        rc, out = self.run("dmesg")
        if rc != 0:
            raise BoardError(f"serial console: dmesg failed ({out.strip()[:80]})")
        return out

    def network_up(self, address: str | None, gateway: str | None = None) -> str:
        """Static `ADDR/PREFIX` (or `ADDR` with /24) via ifconfig/route, or DHCP via udhcpc."""
        iface = self.spec.interface
        if address is None:
            cmd = f"udhcpc -i {iface} -n -q"
        else:
            ip, _, prefix = address.partition("/")
            bits = int(prefix or 24)
            mask = ".".join(
                str((0xFFFFFFFF << (32 - bits) >> (24 - 8 * i)) & 0xFF) for i in range(4)
            )
            cmd = f"ifconfig {iface} {ip} netmask {mask} up"
            if gateway:
                cmd += f" && route add default gw {gateway}"
        rc, out = self.run(cmd, timeout=60)
        if rc != 0:
            raise BoardError(f"serial console: `{cmd}` failed: {out.strip()[:120]}")
        rc, show = self.run(f"ifconfig {iface}")
        return show
