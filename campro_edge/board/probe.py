"""Look at a board before changing anything: is it what its description says?"""

from __future__ import annotations

import shlex

from pydantic import BaseModel

from campro_edge.board.config import BoardConfig
from campro_edge.board.ssh import BoardConnection
from campro_edge.errors import BoardError

KNOWN_ISP_OWNERS = ("rkaiq_3A_server", "ispserver", "rkipc", "mediaserver")


class Mount(BaseModel):
    device: str
    point: str
    fstype: str
    options: list[str]

    @property
    def read_only(self) -> bool:
        return "ro" in self.options


class ProbeResult(BaseModel):
    arch: str
    compatible: list[str]
    hostname: str
    sensor: str
    module: str | None
    lens: str | None
    mounts: list[Mount]
    free_kib: dict[str, int]
    processes: list[str]
    video_nodes: dict[str, str]  # entity name -> /dev/videoN
    iq_files: list[str]
    iq_ext: str = "xml"  # rkaiq v1.x XML; "json" for CalibDbV2 boards

    @property
    def iq_name(self) -> str | None:
        if not (self.module and self.lens):
            return None
        return f"{self.sensor}_{self.module}_{self.lens}.{self.iq_ext}"

    def mount_of(self, path: str) -> Mount | None:
        best: Mount | None = None
        for m in self.mounts:
            p = m.point.rstrip("/") or "/"
            if (path == p or path.startswith(p.rstrip("/") + "/") or p == "/") and (
                best is None or len(p) >= len(best.point)
            ):
                best = m
        return best

    def writable(self, path: str) -> bool:
        m = self.mount_of(path)
        return m is not None and not m.read_only

    def overmounted(self, path: str) -> bool:
        return any(m.point == path.rstrip("/") for m in self.mounts)


def probe_script(cfg: BoardConfig) -> str:
    s = cfg.sensor.name
    globs = " ".join(f"{g.replace('*@*', s + '@*')}" for g in cfg.sensor.dt_globs)
    iq = shlex.quote(cfg.iq.dir)
    base = shlex.quote("/" + cfg.iq.state_dir.strip("/").split("/")[0])
    owners = " ".join(KNOWN_ISP_OWNERS)
    return f"""
echo "arch=$(uname -m)"
printf 'compatible='
(cat /proc/device-tree/compatible 2>/dev/null || cat /sys/firmware/devicetree/base/compatible \
  2>/dev/null) | tr '\\0' '\\n' | tr '\\n' ' '; echo
echo "hostname=$(hostname)"
for n in {globs}; do
  if [ -f "$n/rockchip,camera-module-name" ]; then
    echo "module=$(tr -d '\\0' < "$n/rockchip,camera-module-name")"
    echo "lens=$(tr -d '\\0' < "$n/rockchip,camera-module-lens-name")"
    break
  fi
done
while read -r dev mnt fs opts rest; do echo "mount=$dev $mnt $fs $opts"; done < /proc/mounts
for d in {iq} {base} /oem /tmp; do
  df -k "$d" 2>/dev/null | tail -n 1 | while read -r fs total used avail rest; do
    echo "df=$d $avail"; done
done
for p in {owners}; do pidof "$p" >/dev/null 2>&1 && echo "proc=$p"; done
for d in /sys/class/video4linux/video*; do
  [ -f "$d/name" ] && echo "video=${{d##*/}} $(cat "$d/name")"
done
ls {iq} 2>/dev/null | while read -r f; do echo "iq=$f"; done
true
"""


def probe(conn: BoardConnection, cfg: BoardConfig) -> ProbeResult:
    res = conn.run(probe_script(cfg), what="probe", check=True)
    vals: dict[str, list[str]] = {}
    for line in res.text.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            vals.setdefault(k, []).append(v)

    def one(k: str) -> str | None:
        return vals.get(k, [None])[0]

    mounts = []
    for m in vals.get("mount", []):
        parts = m.split()
        if len(parts) == 4:
            mounts.append(
                Mount(device=parts[0], point=parts[1], fstype=parts[2], options=parts[3].split(","))
            )
    free = {}
    for d in vals.get("df", []):
        path, _, kib = d.rpartition(" ")
        if kib.isdigit():
            free[path] = int(kib)
    videos = {}
    for v in vals.get("video", []):
        node, _, name = v.partition(" ")
        videos.setdefault(name.strip(), f"/dev/{node}")
    return ProbeResult(
        arch=one("arch") or "?",
        compatible=(one("compatible") or "").split(),
        hostname=one("hostname") or "?",
        sensor=cfg.sensor.name,
        module=one("module") or None,
        lens=one("lens") or None,
        mounts=mounts,
        free_kib=free,
        processes=vals.get("proc", []),
        video_nodes=videos,
        iq_files=vals.get("iq", []),
        iq_ext="json" if cfg.iq.format == "rkaiq-json" else "xml",
    )


def check_board(p: ProbeResult, cfg: BoardConfig, host: str) -> None:
    """Refuse a board that is not what `cfg` describes."""
    wrong = []
    if p.arch != cfg.arch:
        wrong.append(f"architecture {p.arch} (expected {cfg.arch})")
    missing = [c for c in cfg.compatible if c not in p.compatible]
    if missing:
        wrong.append(f"compatible '{' '.join(p.compatible) or 'none'}' lacks {', '.join(missing)}")
    if wrong:
        raise BoardError(
            f"wrong board at {host}: {'; '.join(wrong)} - it is not a {cfg.name}; "
            "pick the right one with --board"
        )
    if p.iq_name is None:
        raise BoardError(f"board at {host}: no {cfg.sensor.name} camera module in the device tree")
    if p.iq_name not in p.iq_files:
        raise BoardError(
            f"board at {host}: the ISP would load {cfg.iq.dir}/{p.iq_name}, which does not exist"
        )
    if cfg.capture.node_name not in p.video_nodes:
        raise BoardError(f"board at {host}: no video node named {cfg.capture.node_name}")
