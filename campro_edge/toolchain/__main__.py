"""`python -m campro_edge.toolchain setup|status`: what `make toolchain` runs (no CLI needed)."""

from __future__ import annotations

import argparse
import sys

from campro_edge.errors import CamproError
from campro_edge.toolchain import environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m campro_edge.toolchain")
    parser.add_argument("action", choices=["setup", "status"])
    parser.add_argument("--force", action="store_true", help="rebuild even if it looks ready")
    args = parser.parse_args(argv)
    try:
        if args.action == "setup":
            environment.setup(force=args.force, report=lambda m: print(m, flush=True))
        else:
            for key, value in environment.describe().items():
                print(f"{key}: {value}")
            if not environment.is_ready():
                return 1
    except CamproError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
