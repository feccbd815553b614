"""`campro-edge toolchain`: set up or inspect the rknn-toolkit2 virtualenv."""

from __future__ import annotations

import argparse

from campro_edge.toolchain import environment

NAME = "toolchain"
HELP = "set up or inspect the rknn-toolkit2 toolchain (its own virtualenv)"
DESCRIPTION = """\
rknn-toolkit2 (which compiles the enhancer for the NPU) pins numpy<=1.26.4 and other old
packages, so it lives in its own virtualenv, created and driven by campro-edge: `.toolchain/`
at the root of a source checkout, ~/.cache/campro-edge/toolchain otherwise, or the folder in
$CAMPRO_EDGE_TOOLCHAIN. `compile-enhancer` creates it on first use; `make toolchain` and
`campro-edge toolchain setup` do it ahead of time (downloads about 400 MB once).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["setup", "status"], help="setup: create it; status: show it")
    p.add_argument("--force", action="store_true", help="rebuild even if it looks ready")


def run(args: argparse.Namespace) -> int:
    if args.action == "setup":
        environment.setup(force=args.force, report=lambda m: print(m, flush=True))
        return 0
    info = environment.describe()
    for key in ("directory", "ready", "toolkit", "python"):
        print(f"{key}: {info[key]}")
    return 0 if environment.is_ready() else 1
