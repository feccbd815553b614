"""`verify` on a board: switch the board between its stock IQ and the CamPro IQ, show each image
to the camera, capture, and put the board back on the IQ file it had.

The same code drives a real board and the simulated one; what differs is data: a board
description with ``capture.scene_path`` (the simulated board) takes the image as its scene,
several images per frame; a real camera has no such path and films a monitor instead
(``MonitorSource``, not wired here: it needs a display attached to the host).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console

from campro_edge.board.config import BoardConfig, load_board
from campro_edge.board.session import BoardSession
from campro_edge.errors import BoardError, InputError
from campro_edge.evaluation.sources import MosaicSource, Phase
from campro_edge.iq.rkaiq_xml import read_isp_config
from campro_edge.isp.hardware import HardwareIsp
from campro_edge.isp.yuv import nv12_to_rgb
from campro_edge.ops.push import PushOptions, push_iq
from campro_edge.ops.rollback import rollback
from campro_edge.ops.status import board_status

#: White balance used to read both IQ files' matrices for the ISP-applied check. Any value
#: works as long as it is the same for both: in compose mode the stock matrix cancels out.
CHECK_WB = (1.0, 1.0)


@dataclass
class BoardVerifyTarget:
    board: str
    host: str | None
    params: Path
    ccm_mode: str = "compose"
    trust_new_host_key: bool = False
    key_file: Path | None = None
    frame_size: tuple[int, int] = (1920, 1080)
    console: Console | None = None
    stock_hw: HardwareIsp | None = None
    campro_isp_hw: HardwareIsp | None = None
    phase: Phase | None = None
    log: list[str] = field(default_factory=list)

    def _say(self, msg: str) -> None:
        self.log.append(msg)
        if self.console:
            self.console.print(msg)

    def _cfg(self) -> BoardConfig:
        cfg = load_board(self.board)
        if not cfg.capture.scene_path:
            raise InputError(
                f"board {cfg.name} films the real world (no capture.scene_path): show the "
                "images to it and capture them into DIR/{stock,campro}/..., then run verify "
                "--frames DIR"
            )
        w, h = self.frame_size
        if w % 2 or h % 2 or w > cfg.sensor.max_width or h > cfg.sensor.max_height:
            raise InputError(
                f"capture size {w}x{h}: must be even and at most "
                f"{cfg.sensor.max_width}x{cfg.sensor.max_height}"
            )
        return cfg.model_copy(
            update={"capture": cfg.capture.model_copy(update={"width": w, "height": h})}
        )

    def _session(self, cfg: BoardConfig) -> BoardSession:
        return BoardSession.open(
            cfg, self.host, trust_new_host_key=self.trust_new_host_key, key_file=self.key_file
        )

    def _active_iq(self) -> bytes:
        with self._session(self._cfg()) as sess:
            return sess.conn.download(sess.iq_path, what="read active IQ")

    def set_phase(self, phase: Phase) -> None:
        quiet = Console(file=io.StringIO())
        if phase == "stock":
            rollback(self.board, self.host, to_stock=True, key_file=self.key_file, console=quiet)
            self.stock_hw = read_isp_config(self._active_iq(), "stock IQ").hardware(CHECK_WB)
            self._say("board on its stock IQ file")
        else:
            opts = PushOptions(
                params=self.params, board=self.board, host=self.host, ccm_mode=self.ccm_mode,
                key_file=self.key_file,
            )
            push_iq(opts, quiet)
            self.campro_isp_hw = read_isp_config(self._active_iq(), "CamPro IQ").hardware(
                CHECK_WB
            )
            self._say(f"board on the CamPro IQ file ({self.ccm_mode})")
        self.phase = phase

    @contextlib.contextmanager
    def source(self) -> Iterator[MosaicSource]:
        """An open session that shows images (scene upload) and grabs frames."""
        cfg = self._cfg()
        scene_path = cfg.capture.scene_path
        assert scene_path is not None
        holder: dict[str, BoardSession] = {}

        def session() -> BoardSession:
            if "s" not in holder:  # (re)opened lazily: an IQ switch restarts the ISP service
                holder["s"] = self._session(cfg)
            return holder["s"]

        def show(image: np.ndarray) -> None:
            ok, png = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
            if not ok:
                raise InputError("cannot encode the scene image")
            session().conn.upload(png.tobytes(), scene_path, what="upload scene")

        def grab() -> np.ndarray:
            data, w, h = session().capture_nv12()
            return nv12_to_rgb(data, w, h)

        label = f"board {cfg.name} ({cfg.capture.width}x{cfg.capture.height} NV12, "
        label += "images uploaded as the scene)"
        try:
            yield MosaicSource(show, grab, label, (cfg.capture.width, cfg.capture.height))
        finally:
            if "s" in holder:
                holder["s"].close()

    def check_start(self) -> None:
        st = board_status(
            self.board, self.host, trust_new_host_key=self.trust_new_host_key,
            key_file=self.key_file,
        )
        if st.origin != "stock":
            raise BoardError(
                f"{st.target}: the active IQ file is not the stock one (origin {st.origin}); "
                "verify switches between stock and CamPro and ends on stock: run "
                "`campro-edge rollback --stock` first"
            )
        if not st.service_running:
            raise BoardError(f"{st.target}: {st.service} is not running")

    def restore(self) -> None:
        """Back to the stock IQ file the board had when verify started."""
        if self.phase != "stock":
            quiet = Console(file=io.StringIO())
            rollback(self.board, self.host, to_stock=True, key_file=self.key_file, console=quiet)
            self._say("board back on its stock IQ file")
        cfg = self._cfg()
        with self._session(cfg) as sess:
            sess.conn.run(f"rm -f {cfg.capture.scene_path}", what="reset scene")
