"""`push-iq`: put CamPro's CCM + gamma into a board's IQ file, safely.

probe -> lock -> pull the active and the pristine stock IQ -> convert (patch the stock file) ->
validate -> capture a reference frame -> upload to a temporary name -> verify sha256 on the board
-> back up the active file + mark the switch pending -> atomic switch -> restart the ISP service
-> health check (service up, frame captured, colours as the hardware model predicts) -> commit.
Any failure after the switch restores the previous file and restarts the service; a power cut
leaves the switch pending and the board's boot hook restores the previous file.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console

from campro_edge.board.config import BoardConfig, load_board
from campro_edge.board.session import BoardSession
from campro_edge.board.ssh import ConnectionLost, user_dir
from campro_edge.errors import BoardError, CamproError, InputError
from campro_edge.iq.rkaiq_xml import IqIspConfig, read_isp_config
from campro_edge.iq.rkaiq_xml_patch import patch_iq
from campro_edge.isp.hardware import HardwareIsp, fit_hardware
from campro_edge.isp.yuv import nv12_to_rgb
from campro_edge.ops.health import ColourCheck, check_colours
from campro_edge.ops.steps import StepLog
from campro_edge.params import load_params


@dataclass
class PushOptions:
    params: Path
    board: str
    host: str | None = None
    dry_run: bool = False
    trust_new_host_key: bool = False
    key_file: Path | None = None
    ccm_mode: str = "compose"
    verify_colours: bool = True
    reconnect_wait_s: float = 60.0


@dataclass
class PushReport:
    board: str
    target: str
    iq_path: str
    mode: str
    sha_before: str
    sha_after: str
    changes: list[str]
    dry_run: bool = False
    unchanged: bool = False
    colour: ColourCheck | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    frames: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)


def require_xml_iq(cfg: BoardConfig) -> None:
    if cfg.iq.format != "rkaiq-xml-v1":
        raise InputError(
            f"board {cfg.name} keeps {cfg.iq.format} IQ files; push-iq writes rkaiq v1.x XML "
            "files only so far (RV1126); nothing was changed"
        )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep_host_stock(sess: BoardSession, stock: bytes) -> tuple[Path, bool]:
    """The host's pristine copy of the board's stock IQ (written once, never replaced).

    Returns the path and whether it equals the board's copy (a reflashed board may differ).
    """
    d = user_dir() / "stock" / sess.host_id
    d.mkdir(parents=True, exist_ok=True)
    p = d / sess.iq_name
    if not p.exists():
        tmp = p.with_suffix(".tmp")
        tmp.write_bytes(stock)
        tmp.replace(p)
    return p, p.read_bytes() == stock


def pull_stock(sess: BoardSession, log: StepLog) -> tuple[bytes, bytes]:
    """(active IQ file, pristine stock IQ file) from the board."""
    active = sess.conn.download(sess.iq_path, what="pull active IQ")
    stock = sess.conn.download(f"{sess.state_dir}/stock/{sess.iq_name}", what="pull stock IQ")
    path, same = keep_host_stock(sess, stock)
    if not same:
        log.note(
            f"the board's stock copy differs from this machine's {path} (reflashed board?); "
            "using the board's, keeping both"
        )
    return active, stock


def dry_run_plan(sess: BoardSession, mode: str) -> list[str]:
    """What a real push would do on this board."""
    st, cfg = sess.state_dir, sess.cfg
    plan = [
        f"install {sess.script_path}, lock the board, keep {st}/stock/{sess.iq_name} "
        "(if not kept yet)"
    ]
    if mode == "overlay":
        if sess.info.overmounted(cfg.iq.dir):
            plan.append(f"replace {st}/overlay/{sess.iq_name} (overlay already on {cfg.iq.dir})")
        else:
            plan.append(
                f"copy {cfg.iq.dir} to {st}/overlay and bind-mount it over {cfg.iq.dir} "
                "(read-only root)"
            )
    else:
        plan.append(f"replace {sess.iq_path} in place (atomic rename)")
    plan += [
        f"back up the active file to {st}/prev/{sess.iq_name}",
        f"add a boot hook line to {cfg.iq.boot_hook} (once)",
        f"restart {cfg.service.name} ({cfg.service.stop}; {cfg.service.start})",
        "capture a frame and compare its colours with the hardware model",
    ]
    return plan


def capture_rgb(sess: BoardSession) -> np.ndarray:
    data, w, h = sess.capture_nv12()
    return nv12_to_rgb(data, w, h)


def prepare(sess: BoardSession, log: StepLog) -> None:
    """Helper installed, board locked, configuration recorded, interrupted switches undone."""
    with log.step("lock board"):
        sess.ensure_script()
        sess.lock()
        sess.configure()
        res = sess.script("revert")
        if "restored" in res.text:
            log.note("an earlier, unconfirmed switch was undone first")
            sess.restart_service()


def upload_verified(sess: BoardSession, data: bytes, log: StepLog, wait_s: float) -> str:
    """Upload to the staging name, retrying a broken connection; verify sha256 on the board."""
    staged = f"{sess.state_dir}/staged/{sess.iq_name}.tmp"
    attempts = sess.cfg.ssh.retries
    with log.step("upload"):
        for attempt in range(1, attempts + 1):
            try:
                sess.conn.upload(data, staged, what="upload IQ file")
                break
            except ConnectionLost:
                if attempt == attempts:
                    raise
                log.note(f"connection lost during upload, retry {attempt}/{attempts - 1}")
                time.sleep(sess.cfg.ssh.backoff_s * 2 ** (attempt - 1))
                sess.reconnect(wait_s)
                sess.locked = False
                sess.lock()
            except BoardError:
                sess.run(f"rm -f {staged}", "clean up", check=False)
                raise
    with log.step("verify sha256 on board"):
        sess.script("check", staged, sha256(data))
    return staged


def health_check(
    sess: BoardSession,
    prev_cfg: IqIspConfig | None,
    new_cfg: IqIspConfig,
    before: np.ndarray | None,
    verify: bool,
    log: StepLog,
) -> tuple[ColourCheck | None, np.ndarray]:
    with log.step("health check"):
        if not sess.service_running():
            raise BoardError(f"{sess.cfg.service.name} is not running")
        after = capture_rgb(sess)
        check = None
        if verify and before is not None and prev_cfg is not None:
            check = check_colours(prev_cfg, new_cfg, before, after)
        if check is None:
            if verify:
                log.note(
                    "colour check skipped: the previous frame cannot be inverted "
                    "(previous IQ unknown, service was down, or its gamma is ambiguous)"
                )
        else:
            limit = sess.cfg.health.max_mean_abs_err
            log.note(
                f"colours vs hardware model: mean |error| {check.mean_abs_err:.2f}/255 "
                f"(limit {limit:g}; unchanged frame would be {check.unchanged_err:.2f}), "
                f"illuminant {check.illuminant}"
            )
            if not check.passed(limit):
                raise BoardError(
                    f"captured colours do not match the hardware model (mean error "
                    f"{check.mean_abs_err:.1f}/255 > {limit:g})"
                )
    return check, after


def switch_and_verify(
    sess: BoardSession,
    staged: str,
    meta: dict,
    prev_cfg: IqIspConfig | None,
    new_cfg: IqIspConfig,
    before: np.ndarray | None,
    verify: bool,
    log: StepLog,
    wait_s: float,
) -> tuple[ColourCheck | None, np.ndarray]:
    """Switch to the staged file; on any failure go back to the previous one."""
    try:
        if sess.install_mode() == "overlay":
            with log.step("overlay on read-only root"):
                sess.script("setup-overlay")
        with log.step("boot hook"):
            sess.script("hook-install")
        with log.step("switch (atomic)"):
            sess.script("switch", staged)
        with log.step("restart ISP service"):
            sess.restart_service()
        check, after = health_check(sess, prev_cfg, new_cfg, before, verify, log)
        with log.step("commit"):
            sess.script("commit", json.dumps(meta, separators=(",", ":")))
        return check, after
    except CamproError as exc:
        failed_at = log.current or "switch"
        raise BoardError(f"{failed_at} failed: {exc}; {restore_previous(sess, wait_s)}") from exc


def restore_previous(sess: BoardSession, wait_s: float) -> str:
    """Put the previous IQ file back and restart the service; returns what happened."""
    try:
        if sess.conn.transport is None or not sess.conn.transport.is_active():
            sess.reconnect(wait_s)
            sess.locked = False
            sess.lock()
        sess.script("revert")
        sess.restart_service()
        return "the board is back on its previous IQ file and the ISP service runs"
    except CamproError as exc:
        return (
            f"restoring the previous IQ file also failed ({exc}); the board's boot hook "
            "restores it at the next boot"
        )


def push_iq(opts: PushOptions, console: Console | None = None) -> PushReport:
    log = StepLog(console)
    with log.step("convert parameters"):
        params = load_params(opts.params)  # bad input: nothing on the board is touched
        hw: HardwareIsp = fit_hardware(params)
    cfg: BoardConfig = load_board(opts.board)
    require_xml_iq(cfg)
    with log.step("connect + probe"):
        sess = BoardSession.open(
            cfg, opts.host, trust_new_host_key=opts.trust_new_host_key, key_file=opts.key_file
        )
    with sess:
        mode = sess.install_mode()
        log.note(
            f"{sess.label}: {sess.info.arch}, {' '.join(sess.info.compatible)}, ISP reads "
            f"{sess.iq_path} ({'writable' if mode == 'in-place' else 'read-only root: overlay'})"
        )
        if opts.dry_run:
            with log.step("pull IQ"):
                active = sess.conn.download(sess.iq_path, what="pull active IQ")
                stock_path = f"{sess.state_dir}/stock/{sess.iq_name}"
                has_stock = sess.run(f"test -f {stock_path}", "stat", check=False).rc == 0
                stock = sess.conn.download(stock_path) if has_stock else active
        else:
            prepare(sess, log)
            with log.step("pull IQ"):
                active, stock = pull_stock(sess, log)
        with log.step("patch + validate"):
            result = patch_iq(stock, hw, ccm_mode=opts.ccm_mode, source=f"stock {sess.iq_name}")
            new = result.data
            new_cfg = read_isp_config(new, "new IQ file")
            try:
                prev_cfg: IqIspConfig | None = read_isp_config(active, "active IQ file")
            except CamproError:
                prev_cfg = None
        report = PushReport(
            cfg.name,
            sess.label,
            sess.iq_path,
            mode,
            sha256(active),
            sha256(new),
            result.changes,
            dry_run=opts.dry_run,
            timings=log.timings,
            notes=log.notes,
        )
        if opts.dry_run:
            report.plan = dry_run_plan(sess, mode)
            return report
        if sha256(new) == sha256(active) and sess.service_running():
            report.unchanged = True
            return report
        need_kib = 3 * len(new) // 1024 + 64
        if mode == "overlay" and not sess.info.overmounted(cfg.iq.dir):
            need_kib += 2 * len(active) // 1024  # the overlay copies the IQ directory
        base = "/" + cfg.iq.state_dir.strip("/").split("/")[0]
        free = sess.info.free_kib.get(base)
        if free is not None and free < need_kib:
            raise BoardError(
                f"no space left on {base} of {sess.label}: {free} KiB free, the push "
                f"needs about {need_kib} KiB; the board is unchanged"
            )
        before = None
        if opts.verify_colours and sess.service_running():
            with log.step("capture reference frame"):
                before = capture_rgb(sess)
                report.frames["before"] = before
        try:
            staged = upload_verified(sess, new, log, opts.reconnect_wait_s)
        except CamproError as exc:
            raise BoardError(f"{log.current} failed: {exc}; the board is unchanged") from exc
        meta = {
            "source": "campro",
            "params": opts.params.name,
            "sha256": sha256(new),
            "pushed_at": int(time.time()),
            "ccm": np.round(hw.ccm, 5).tolist(),
            "gamma_y": hw.gamma_y.tolist(),
            "ccm_mode": opts.ccm_mode,
        }
        check, after = switch_and_verify(
            sess,
            staged,
            meta,
            prev_cfg,
            new_cfg,
            before,
            opts.verify_colours,
            log,
            opts.reconnect_wait_s,
        )
        report.colour = check
        report.frames["after"] = after
    return report
