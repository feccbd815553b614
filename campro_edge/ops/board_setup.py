"""First contact with a board: install this machine's SSH key; probe."""

from __future__ import annotations

import shlex
from pathlib import Path

from campro_edge.board.config import load_board
from campro_edge.board.probe import ProbeResult, check_board, probe
from campro_edge.board.session import resolve_target
from campro_edge.board.ssh import BoardConnection, load_or_create_key, public_key_line
from campro_edge.errors import BoardError


def add_board(
    board: str, host: str | None, *, trust_new_host_key: bool = False, password: str | None = None
) -> str:
    cfg = load_board(board)
    target = resolve_target(cfg, host)
    key = load_or_create_key()
    line = public_key_line(key)
    with BoardConnection(
        target,
        cfg.ssh,
        trust_new_host_key=trust_new_host_key,
        password=password if password is not None else cfg.ssh.default_password,
    ).connect() as conn:
        info = probe(conn, cfg)
        check_board(info, cfg, target.label)
        cmd = (
            "umask 077; mkdir -p ~/.ssh && touch ~/.ssh/authorized_keys && "
            f"(grep -qF {shlex.quote(key.get_base64())} ~/.ssh/authorized_keys || "
            f"echo {shlex.quote(line)} >> ~/.ssh/authorized_keys)"
        )
        conn.run(cmd, what="install SSH key", check=True)
    # prove that the key works on its own
    with BoardConnection(target, cfg.ssh).connect() as conn:
        conn.run("true", what="key login", check=True)
    return (
        f"{target.label}: key {key.get_name()} installed; this machine now logs in with it "
        f"({cfg.name}, {info.arch}, IQ {cfg.iq.dir}/{info.iq_name})"
    )


def probe_board(
    board: str, host: str | None, *, trust_new_host_key: bool = False, key_file: Path | None = None
) -> tuple[ProbeResult, str]:
    cfg = load_board(board)
    target = resolve_target(cfg, host)
    with BoardConnection(
        target, cfg.ssh, trust_new_host_key=trust_new_host_key, key_file=key_file
    ).connect() as conn:
        info = probe(conn, cfg)
    try:
        check_board(info, cfg, target.label)
        verdict = f"{target.label} is a {cfg.name} (IQ file {cfg.iq.dir}/{info.iq_name})"
    except BoardError as exc:
        verdict = f"MISMATCH: {exc}"
    return info, verdict
