"""The toolchain virtualenv: where it lives, whether it is ready, and how to make it.

rknn-toolkit2 2.5.0 pins numpy<=1.26.4 (among others), which the main environment (numpy 2)
cannot share, so it lives in its own virtualenv that campro-edge creates and drives through
`worker.py`. Location: `$CAMPRO_EDGE_TOOLCHAIN`, else `.toolchain/` at the root of a source
checkout, else `~/.cache/campro-edge/toolchain`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from campro_edge.errors import ToolchainError

TORCH_PIN = "torch==2.13.0"
TOOLKIT_PIN = "rknn-toolkit2==2.5.0"
HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
WORKER = HERE / "worker.py"
STAMP_NAME = "campro-toolchain.json"
SETUP_HINT = "run `make toolchain` (or `campro-edge toolchain setup`)"


class Stamp(BaseModel):
    """Written last by a successful setup; a mismatch means the toolchain must be rebuilt."""

    recipe: str  # sha256 of the pins and requirements that built it
    toolkit_version: str
    python: str


def toolchain_dir() -> Path:
    env = os.environ.get("CAMPRO_EDGE_TOOLCHAIN")
    if env:
        return Path(env).expanduser().resolve()
    root = HERE.parents[1]
    if (root / "pyproject.toml").is_file():
        return root / ".toolchain"
    return Path.home() / ".cache" / "campro-edge" / "toolchain"


def python_path(directory: Path | None = None) -> Path:
    return (directory or toolchain_dir()) / "bin" / "python"


def recipe_hash() -> str:
    h = hashlib.sha256()
    h.update(TORCH_PIN.encode())
    h.update(TOOLKIT_PIN.encode())
    h.update(REQUIREMENTS.read_bytes())
    return h.hexdigest()


def read_stamp(directory: Path | None = None) -> Stamp | None:
    path = (directory or toolchain_dir()) / STAMP_NAME
    try:
        return Stamp.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None


def is_ready(directory: Path | None = None) -> bool:
    stamp = read_stamp(directory)
    return stamp is not None and stamp.recipe == recipe_hash() and python_path(directory).is_file()


def _run_logged(cmd: list[str], log: Path, what: str) -> None:
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n")
        fh.flush()
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        msg = f"toolchain setup failed while {what} (exit {proc.returncode}); see {log}"
        raise ToolchainError(msg)


def _base_python() -> str:
    """An interpreter to create the venv from (the one running us; venv follows it to its base)."""
    return sys.executable or shutil.which("python3") or "python3"


def setup(
    directory: Path | None = None,
    force: bool = False,
    report: Callable[[str], None] = lambda _msg: None,
) -> Path:
    """Create (or re-create) the toolchain venv; returns its directory. Idempotent."""
    target = directory or toolchain_dir()
    if is_ready(target) and not force:
        report(f"toolchain ready at {target}")
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    log = target / "setup.log"
    py = str(python_path(target))
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check"]
    steps: list[tuple[str, list[str]]] = [
        ("creating the virtualenv", [_base_python(), "-m", "venv", str(target)]),
        (f"installing {TORCH_PIN}", [*pip, TORCH_PIN]),
        ("installing the pinned dependencies", [*pip, "-r", str(REQUIREMENTS)]),
        (f"installing {TOOLKIT_PIN}", [*pip, "--no-deps", TOOLKIT_PIN]),
    ]
    for what, cmd in steps:
        report(what)
        _run_logged(cmd, log, what)
    report("checking that rknn-toolkit2 imports")
    from campro_edge.toolchain.client import probe  # local: client imports this module

    info = probe(target)
    stamp = Stamp(recipe=recipe_hash(), toolkit_version=info.toolkit_version, python=info.python)
    (target / STAMP_NAME).write_text(stamp.model_dump_json(indent=2), encoding="utf-8")
    report(f"toolchain ready at {target} (rknn-toolkit2 {info.toolkit_version})")
    return target


def ensure(auto_create: bool = True, report: Callable[[str], None] = lambda _m: None) -> Path:
    """The ready toolchain directory; creates it on first use unless `auto_create` is False."""
    target = toolchain_dir()
    if is_ready(target):
        return target
    if not auto_create:
        raise ToolchainError(f"the rknn-toolkit2 toolchain is not set up at {target}; {SETUP_HINT}")
    report(f"setting up the rknn-toolkit2 toolchain at {target} (first use; a few minutes)")
    return setup(target, report=report)


def describe(directory: Path | None = None) -> dict[str, str]:
    target = directory or toolchain_dir()
    stamp = read_stamp(target)
    return {
        "directory": str(target),
        "ready": "yes" if is_ready(target) else "no",
        "toolkit": stamp.toolkit_version if stamp else "-",
        "python": stamp.python if stamp else "-",
        "recipe": json.dumps(
            {"torch": TORCH_PIN, "toolkit": TOOLKIT_PIN, "requirements": str(REQUIREMENTS)}
        ),
    }
