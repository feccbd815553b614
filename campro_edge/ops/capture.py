"""`capture`: one frame from the board's ISP (NV12 on the board, PNG here)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from campro_edge.board.config import load_board
from campro_edge.board.session import BoardSession
from campro_edge.errors import BoardError, InputError
from campro_edge.isp.yuv import nv12_to_rgb


def write_png(rgb: np.ndarray, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise InputError(f"cannot write image {out}")


def capture_frame(
    board: str,
    host: str | None,
    out: Path,
    *,
    trust_new_host_key: bool = False,
    key_file: Path | None = None,
    raw: Path | None = None,
) -> tuple[Path, str]:
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"):
        raise InputError(f"output {out}: use an image file name (.png, .jpg, ...)")
    cfg = load_board(board)
    with BoardSession.open(
        cfg, host, trust_new_host_key=trust_new_host_key, key_file=key_file
    ) as sess:
        if not sess.service_running():
            raise BoardError(
                f"{cfg.service.name} is not running on {sess.label}: frames would "
                "come out without 3A (start it or push a valid IQ file)"
            )
        data, w, h = sess.capture_nv12()
        label = sess.label
    if raw is not None:
        raw.write_bytes(data)
    write_png(nv12_to_rgb(data, w, h), out)
    return out, f"{w}x{h} NV12 frame from {label}"
