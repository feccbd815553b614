"""Emulated `rkaiq_3A_server` (runs on the simulated board, started by /etc/init.d/S40rkaiq_3A).

As the real server: at start it finds the sensor, builds the IQ file name
`<sensor>_<module>_<lens>.xml` from the device tree's camera-module properties, parses that file
from the IQ directory with the v1.x parser rules and aborts on a file that breaks them. While it
runs it holds that configuration (a private copy in /var/run/rkaiq_3A), so later changes to the
file only take effect after a restart, as on the board.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import glob
import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path

RUN = Path("/var/run/rkaiq_3A")
CONTROL = Path("/.sim")
DT_ROOTS = ("/proc/device-tree", "/sys/firmware/devicetree/base")
EXIT_ABORT = 134  # SIGABRT from a failed DCT_ASSERT


def set_process_name(name: str) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME


class Log:
    def __init__(self, path: str | None) -> None:
        self.path = path

    def __call__(self, msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] rkaiq_3A_server: {msg}\n"
        sys.stderr.write(line)
        if self.path:
            with open(self.path, "a") as f:
                f.write(line)


def _prop(node: str, name: str) -> str | None:
    try:
        return Path(node, name).read_bytes().rstrip(b"\0").decode()
    except OSError:
        return None


def sensor_entity() -> str | None:
    for p in sorted(glob.glob("/sys/class/video4linux/v4l-subdev*/name")):
        name = Path(p).read_text().strip()
        parts = name.split()[0].split("_") if name else []
        if len(parts) >= 3 and parts[0].startswith("m") and parts[1] in ("b", "f"):
            return name
    return None


def iq_file_name(sensor: str) -> str | None:
    for root in DT_ROOTS:
        for node in sorted(glob.glob(f"{root}/*/{sensor}@*")):
            module = _prop(node, "rockchip,camera-module-name")
            lens = _prop(node, "rockchip,camera-module-lens-name")
            if module and lens:
                return f"{sensor}_{module}_{lens}.xml"
    return None


def injected_failure() -> bool:
    f = CONTROL / "rkaiq_fail_starts"
    try:
        n = int(f.read_text().strip())
    except (OSError, ValueError):
        return False
    if n == 0:
        return False
    if n > 0:
        f.write_text(f"{n - 1}\n")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="rkaiq_3A_server")
    ap.add_argument("--log")
    ap.add_argument("--iqfiles", default=os.environ.get("IQ_PATH", "/etc/iqfiles"))
    args = ap.parse_args(argv)
    set_process_name("rkaiq_3A_server")
    log = Log(args.log)
    entity = sensor_entity()
    if entity is None:
        log("no sensor entity found; exit")
        return 1
    sensor = entity.split()[0].split("_", 2)[2]
    name = iq_file_name(sensor)
    if name is None:
        log(f"{entity}: camera module info missing in device tree; abort")
        return EXIT_ABORT
    path = Path(args.iqfiles, name)
    log(f"sensor {entity}, iq file {path}")
    if injected_failure():
        log("simulated fault: rkaiq_3A_server aborted at start")
        return EXIT_ABORT
    try:
        data = path.read_bytes()
    except OSError as exc:
        log(f"can't open iq file {path}: {exc.strerror}; abort")
        return EXIT_ABORT
    from campro_edge.errors import IqError  # noqa: PLC0415
    from campro_edge.iq.rkaiq_xml import read_isp_config  # noqa: PLC0415

    try:
        cfg = read_isp_config(data, str(path))
    except IqError as exc:
        log(f"XML parse failed, assertion failed: {exc}; Aborted")
        return EXIT_ABORT
    RUN.mkdir(parents=True, exist_ok=True)
    (RUN / "iq.xml").write_bytes(data)
    state = {
        "pid": os.getpid(),
        "iq_file": str(path),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sensor": entity,
        "started": time.time(),
        "ccm_enable": cfg.ccm_enable,
        "gamma_enable": cfg.gamma_enable,
        "illuminants": [i.name for i in cfg.mode("normal").illuminants],
    }
    (RUN / "state.json").write_text(json.dumps(state))
    (RUN / "ready").write_text("1\n")
    log(
        f"use iq file {path} (sha256 {state['sha256'][:12]}), {len(state['illuminants'])} "
        "illuminants, 3A running"
    )

    def stop(*_: object) -> None:
        for f in ("ready", "state.json", "iq.xml", "awb.json"):
            (RUN / f).unlink(missing_ok=True)
        log("exit")
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
