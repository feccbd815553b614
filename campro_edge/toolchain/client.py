"""Talk to `worker.py` in the toolchain virtualenv: one typed request, one typed response.

The worker's stdout/stderr (rknn-toolkit2 is very chatty) go to a log file; callers get the
parsed response and the log's path for error messages.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from pydantic import ValidationError

from campro_edge.errors import ToolchainError
from campro_edge.toolchain.environment import SETUP_HINT, WORKER, python_path, toolchain_dir
from campro_edge.toolchain.protocol import (
    PROTOCOL_VERSION,
    BuildRequest,
    BuildResponse,
    ProbeRequest,
    ProbeResponse,
    RequestEnvelope,
    ResponseEnvelope,
)

# MMSE calibration of a CamPro-size U-Net at 1280x720 takes over an hour on 2 cores.
DEFAULT_TIMEOUT_S = 4 * 3600.0


def _call(
    request: ProbeRequest | BuildRequest,
    directory: Path | None,
    log_path: Path | None,
    timeout_s: float,
) -> ProbeResponse | BuildResponse:
    py = python_path(directory or toolchain_dir())
    if not py.is_file():
        raise ToolchainError(f"no toolchain python at {py}; {SETUP_HINT}")
    with tempfile.TemporaryDirectory(prefix="campro-worker-") as tmp:
        req_file = Path(tmp) / "request.json"
        resp_file = Path(tmp) / "response.json"
        req_file.write_text(RequestEnvelope(request=request).model_dump_json(), encoding="utf-8")
        log = log_path or Path(tmp) / "worker.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env.setdefault("PYTHONUNBUFFERED", "1")
        try:
            with log.open("a", encoding="utf-8") as fh:
                proc = subprocess.run(
                    [str(py), str(WORKER), str(req_file), str(resp_file)],
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    env=env,
                    timeout=timeout_s,
                    check=False,
                )
        except subprocess.TimeoutExpired as exc:
            raise ToolchainError(f"rknn-toolkit2 worker timed out after {timeout_s:.0f}s") from exc
        where = f"see {log}" if log_path else "re-run with a log file for details"
        if proc.returncode != 0 or not resp_file.is_file():
            tail = _tail(log)
            raise ToolchainError(
                f"rknn-toolkit2 worker exited with {proc.returncode} ({tail}); {where}"
            )
        try:
            envelope = ResponseEnvelope.model_validate_json(resp_file.read_text(encoding="utf-8"))
        except ValidationError as exc:
            msg = f"rknn-toolkit2 worker sent a malformed response; {where}"
            raise ToolchainError(msg) from exc
        return envelope.response


def _tail(log: Path) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
        lines = [ln.strip() for ln in text.splitlines()]
    except OSError:
        return "no log"
    lines = [ln for ln in lines if ln]
    return lines[-1][:200] if lines else "no output"


def probe(directory: Path | None = None, log_path: Path | None = None) -> ProbeResponse:
    resp = _call(ProbeRequest(), directory, log_path, timeout_s=300)
    if not isinstance(resp, ProbeResponse):
        raise ToolchainError("rknn-toolkit2 worker answered a probe with something else")
    if not resp.ok:
        raise ToolchainError(f"the toolchain is broken: {resp.error}; {SETUP_HINT}")
    if resp.protocol != PROTOCOL_VERSION:
        raise ToolchainError(f"toolchain worker speaks protocol {resp.protocol}; {SETUP_HINT}")
    return resp


def build(
    request: BuildRequest,
    log_path: Path,
    directory: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> BuildResponse:
    """Run one build; a failed build comes back as `ok=False` with the stage and reason."""
    resp = _call(request, directory, log_path, timeout_s)
    if not isinstance(resp, BuildResponse):
        raise ToolchainError("rknn-toolkit2 worker answered a build with something else")
    return resp
