"""The board's public SSH port: a TCP relay to Dropbear that can slow, cut or refuse the link."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from pathlib import Path

from campro_edge_sim.faults import LinkFaults, consume_drop, read_link

CHUNK = 16384


class LinkProxy:
    def __init__(self, listen_port: int, target_port: int, control: Path) -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self.control = control
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", listen_port))
        self.sock.listen(16)
        self._stop = threading.Event()

    def serve_forever(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()

    def _handle(self, client: socket.socket) -> None:
        faults = read_link(self.control)
        if faults.refuse:
            _reset(client)
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
        except OSError:
            _reset(client)  # board is booting or off
            return
        upstream.settimeout(None)
        drop_at = faults.drop_after_bytes if consume_drop(self.control) else None
        pair = _Pair(client, upstream)
        threading.Thread(
            target=self._pump, args=(pair, client, upstream, faults, drop_at), daemon=True
        ).start()
        self._pump(pair, upstream, client, faults, None)

    def _pump(
        self,
        pair: _Pair,
        src: socket.socket,
        dst: socket.socket,
        faults: LinkFaults,
        drop_at: int | None,
    ) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(CHUNK if faults.rate_bytes_per_s is None else 2048)
                if not data:
                    break
                if drop_at is not None and sent + len(data) > drop_at:
                    dst.sendall(data[: max(0, drop_at - sent)])
                    pair.reset()
                    return
                if faults.latency_ms:
                    time.sleep(faults.latency_ms / 1000)
                if faults.rate_bytes_per_s:
                    time.sleep(len(data) / faults.rate_bytes_per_s)
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pair.close()
            return
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
        pair.half_done()


class _Pair:
    def __init__(self, a: socket.socket, b: socket.socket) -> None:
        self.a, self.b = a, b
        self._lock = threading.Lock()
        self._closed = False
        self._done = 0

    def half_done(self) -> None:
        with self._lock:
            self._done += 1
            last = self._done == 2
        if last:
            self.close()

    def reset(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                _reset(self.a)
                _reset(self.b)

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                for s in (self.a, self.b):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    s.close()


def _reset(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
