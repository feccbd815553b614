"""`rollback`: back to the previous IQ file, or to the pristine stock one (a checked switch)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from campro_edge.board.config import load_board
from campro_edge.board.session import BoardSession
from campro_edge.errors import BoardError
from campro_edge.iq.rkaiq_xml import read_isp_config
from campro_edge.ops.push import prepare, require_xml_iq, sha256, switch_and_verify
from campro_edge.ops.steps import StepLog


@dataclass
class RollbackReport:
    target: str
    iq_path: str
    source: str
    sha_before: str
    sha_after: str
    timings: list[tuple[str, float]]


def rollback(
    board: str,
    host: str | None,
    *,
    to_stock: bool = False,
    trust_new_host_key: bool = False,
    key_file: Path | None = None,
    console: Console | None = None,
    reconnect_wait_s: float = 60.0,
) -> RollbackReport:
    cfg = load_board(board)
    require_xml_iq(cfg)
    log = StepLog(console)
    src = "stock" if to_stock else "prev"
    with log.step("connect + probe"):
        sess = BoardSession.open(
            cfg, host, trust_new_host_key=trust_new_host_key, key_file=key_file
        )
    with sess:
        has = sess.run(f"test -f {sess.state_dir}/{src}/{sess.iq_name}", "stat", check=False).rc
        if has != 0 and to_stock:
            sha = sess.file_sha256(sess.iq_path) or ""
            return RollbackReport(sess.label, sess.iq_path, "stock", sha, sha, log.timings)
        if has != 0:
            what = "previous IQ file"
            raise BoardError(
                f"{sess.label}: no {what} on the board (nothing was ever pushed); "
                "it is on its original IQ file"
            )
        prepare(sess, log)
        active = sess.conn.download(sess.iq_path, what="read active IQ")
        with log.step(f"stage {'stock' if to_stock else 'previous'} copy"):
            staged = sess.script("stage-copy", src).text.strip().splitlines()[-1]
            data = sess.conn.download(staged, what="read staged copy")
            new_cfg = read_isp_config(data, f"{src} copy on the board")
            meta: dict = {"source": "stock" if to_stock else "previous", "sha256": sha256(data)}
            if not to_stock:
                raw = sess.run(
                    f"cat {sess.state_dir}/staged/meta.json 2>/dev/null", "meta", check=False
                ).text
                with contextlib.suppress(ValueError):
                    meta = {**json.loads(raw), "sha256": sha256(data)} if raw.strip() else meta
        switch_and_verify(sess, staged, meta, None, new_cfg, None, False, log, reconnect_wait_s)
        return RollbackReport(
            sess.label, sess.iq_path, src, sha256(active), sha256(data), log.timings
        )
