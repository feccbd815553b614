"""`status`: which IQ file is active on a board, whether it is CamPro's, the service state."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel

from campro_edge.board.config import load_board
from campro_edge.board.session import BoardSession
from campro_edge.errors import CamproError
from campro_edge.iq.rkaiq_xml import read_isp_config


class BoardStatus(BaseModel):
    board: str
    target: str
    iq_path: str
    install_mode: str | None  # in-place / overlay once a push happened
    overlay_mounted: bool
    sha256: str
    stock_sha256: str | None
    previous_sha256: str | None
    origin: str  # stock / campro / previous / unknown
    pending_switch: bool
    iq_valid: bool
    iq_problem: str | None = None
    ccm: list[list[float]] | None = None  # the matrix programmed for the first illuminant
    ccm_illuminant: str | None = None
    gamma_y: list[int] | None = None
    pushed: dict | None = None  # what push-iq recorded
    service: str
    service_running: bool


def board_status(
    board: str, host: str | None, *, trust_new_host_key: bool = False, key_file: Path | None = None
) -> BoardStatus:
    cfg = load_board(board)
    with BoardSession.open(
        cfg, host, trust_new_host_key=trust_new_host_key, key_file=key_file
    ) as sess:
        active = sess.conn.download(sess.iq_path, what="read active IQ")
        sha = hashlib.sha256(active).hexdigest()
        fields: dict[str, str] = {}
        shas: dict[str, str] = {}
        has_script = (
            sess.run(
                f"test -f {sess.script_path} && test -f {sess.state_dir}/board.env",
                "stat",
                check=False,
            ).rc
            == 0
        )
        if has_script:
            for line in sess.script("status").text.splitlines():
                k, _, v = line.partition("=")
                if k == "sha256":
                    digest, _, path = v.partition(" ")
                    shas[path.strip()] = digest
                else:
                    fields[k] = v
        stock_sha = shas.get(f"{sess.state_dir}/stock/{sess.iq_name}")
        prev_sha = shas.get(f"{sess.state_dir}/prev/{sess.iq_name}")
        meta = None
        if "meta" in fields:
            try:
                meta = json.loads(fields["meta"])
            except ValueError:
                meta = None
        if stock_sha is None or sha == stock_sha:
            origin = "stock"
        elif meta and meta.get("sha256") == sha:
            origin = str(meta.get("source", "campro"))
        elif sha == prev_sha:
            origin = "previous"
        else:
            origin = "unknown"
        st = BoardStatus(
            board=cfg.name,
            target=sess.label,
            iq_path=sess.iq_path,
            install_mode={"inplace": "in-place"}.get(fields.get("mode", ""), fields.get("mode")),
            overlay_mounted=sess.info.overmounted(cfg.iq.dir),
            sha256=sha,
            stock_sha256=stock_sha,
            previous_sha256=prev_sha,
            origin=origin,
            pending_switch=fields.get("pending") == "1",
            iq_valid=True,
            pushed=meta if origin == "campro" else None,
            service=cfg.service.name,
            service_running=sess.service_running(),
        )
        try:
            icfg = read_isp_config(active, sess.iq_path)
            ill = icfg.mode("normal").illuminants[0]
            hw = icfg.hardware(ill.wb_gain)
            st.ccm = [[round(float(v), 5) for v in row] for row in hw.ccm]
            st.ccm_illuminant = ill.name
            st.gamma_y = [int(v) for v in hw.gamma_y]
        except CamproError as exc:
            st.iq_valid = False
            st.iq_problem = str(exc)
        return st
