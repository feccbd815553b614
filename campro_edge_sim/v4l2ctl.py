"""Emulated `v4l2-ctl` on the simulated board: NV12 frames rendered through the emulated ISP.

scene (sRGB) -> linear -> sensor raw (inverse of the simulated module's calibration for the
scene's light, photon/read noise, 12-bit) -> AWB (grey world) -> CCM + gamma-out as the running
rkaiq_3A_server holds them (illuminant chosen from the AWB gains, as accm does) -> 8 bit ->
BT.601 full-range NV12 (the kernel's matrix). Without a running 3A server the ISP runs with
reset values: no white balance, CCM and gamma bypassed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from campro_edge_sim.rkaiq import RUN

CONTROL = Path("/.sim")
CAPTURE_NODES = {
    "rkisp_mainpath",
    "rkisp_selfpath",
    "rkispp_m_bypass",
    "rkispp_scale0",
    "rkispp_scale1",
    "rkispp_scale2",
}
MAX_W, MAX_H = 3840, 2160


def _err(msg: str) -> int:
    sys.stderr.write(msg + "\n")
    return 1


def _node_name(dev: str) -> str | None:
    base = os.path.basename(os.path.realpath(dev)) if os.path.exists(dev) else None
    if base is None:
        return None
    try:
        return Path(f"/sys/class/video4linux/{base}/name").read_text().strip()
    except OSError:
        return None


def _running_3a() -> bytes | None:
    try:
        state = json.loads((RUN / "state.json").read_text())
        os.kill(int(state["pid"]), 0)
        return (RUN / "iq.xml").read_bytes()
    except (OSError, ValueError, KeyError):
        return None


def render_frame(
    width: int, height: int, iq: bytes | None, seed: int | None = None
) -> tuple[np.ndarray, dict]:
    from campro_edge.iq.rkaiq_xml import read_isp_config  # noqa: PLC0415
    from campro_edge.isp.constants import X45  # noqa: PLC0415
    from campro_edge.isp.hardware import HardwareIsp, render_linear12  # noqa: PLC0415
    from campro_edge.isp.yuv import rgb_to_nv12  # noqa: PLC0415
    from campro_edge_sim.scene import load_scene  # noqa: PLC0415
    from campro_edge_sim.sensor import (  # noqa: PLC0415
        grey_world_gains,
        illum,
        scene_to_raw12,
        white_balance,
    )

    scene = load_scene(CONTROL / "scene.png", width, height)
    try:
        light = illum((CONTROL / "illuminant").read_text().strip())
    except (OSError, ValueError):
        light = illum("D65")
    rng = np.random.default_rng(seed)
    lin = (scene.astype(np.float64) / 255.0) ** 2.2
    raw = scene_to_raw12(lin, light, rng)
    info: dict = {"scene_illuminant": light.name}
    if iq is None:
        hw = HardwareIsp(np.zeros((3, 3), dtype=np.int64), X45.copy())  # bypass
        wb = raw
        info["3a"] = False
    else:
        cfg = read_isp_config(iq, "held IQ")
        gains = grey_world_gains(raw)
        hw = cfg.hardware(gains)
        if not cfg.ccm_enable:
            hw = HardwareIsp(np.zeros((3, 3), dtype=np.int64), hw.gamma_y)
        if not cfg.gamma_enable:
            hw = HardwareIsp(hw.ccm_regs, X45.copy())
        wb = white_balance(raw, gains)
        info.update(
            {
                "3a": True,
                "awb_gains": gains,
                "illuminant": cfg.mode("normal").illuminant_for(gains).name,
                "ccm": hw.ccm.tolist(),
            }
        )
    rgb = render_linear12(hw, wb)
    return rgb_to_nv12(rgb), info


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    dev, width, height, pixfmt = "/dev/video0", 1920, 1080, "NV12"
    count, out, stream, get_fmt = 1, None, False, False
    it = iter(args)
    for a in it:
        key, _, val = a.partition("=")
        if key in ("-d", "--device"):
            dev = val or next(it, "")
        elif key.startswith("-d") and len(key) > 2:
            dev = key[2:]
        elif key == "--set-fmt-video":
            opts = dict(kv.split("=", 1) for kv in val.split(",") if "=" in kv)
            width, height = int(opts.get("width", width)), int(opts.get("height", height))
            pixfmt = opts.get("pixelformat", pixfmt)
        elif key in ("--stream-mmap", "--stream-skip", "--stream-poll"):
            stream = stream or key == "--stream-mmap"
        elif key == "--stream-count":
            count = int(val)
        elif key == "--stream-to":
            out = val
        elif key == "--get-fmt-video":
            get_fmt = True
        elif key == "--list-devices":
            print("rkispp0 (platform:rkispp0):\n\t/dev/video6\n\t/dev/video7\n\t/dev/video8")
            return 0
        else:
            return _err(f"v4l2-ctl: unsupported option {a} (simulated v4l2-ctl)")
    name = _node_name(dev)
    if name is None:
        return _err(f"Cannot open device {dev}, exiting.")
    if get_fmt:
        print(
            f"Format Video Capture Multiplanar:\n\tWidth/Height      : {width}/{height}\n"
            f"\tPixel Format      : '{pixfmt}' (Y/CbCr 4:2:0)\n\tQuantization      : Full Range"
        )
        if not stream:
            return 0
    if name not in CAPTURE_NODES:
        return _err("VIDIOC_S_FMT: failed: Invalid argument")
    if (
        pixfmt != "NV12"
        or width % 2
        or height % 2
        or not (0 < width <= MAX_W and 0 < height <= MAX_H)
    ):
        return _err("VIDIOC_S_FMT: failed: Invalid argument")
    if not stream or out is None:
        return 0
    iq = _running_3a()
    frames = []
    info: dict = {}
    for _ in range(max(count, 1)):
        nv12, info = render_frame(width, height, iq)
        frames.append(nv12.tobytes())
    try:
        with open(out, "wb") as f:
            for fr in frames:
                f.write(fr)
    except OSError as exc:
        return _err(f"{out}: {exc.strerror}")
    if iq is not None:
        with contextlib.suppress(OSError):
            (RUN / "awb.json").write_text(json.dumps(info))
    sys.stderr.write("<" * len(frames) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
