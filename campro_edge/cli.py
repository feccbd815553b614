"""The `campro-edge` command line: thin, it parses arguments and calls one operation."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from campro_edge import __version__, commands
from campro_edge.errors import CamproError

DESCRIPTION = """\
Put CamPro (NDSS 2024, camera-based anti-face-recognition) onto a Rockchip camera.

CamPro re-tunes two stages of the camera's own ISP (the 3x3 colour correction matrix and the
gamma curve) so that frames leaving the sensor module defeat face recognition while people stay
detectable. This tool turns trained parameters into the board's IQ file, pushes it over SSH,
compiles the enhancer for the NPU and verifies the result on the board (a simulated board by
default; a real one with --host).
"""

EPILOG = """\
typical session:
  campro-edge convert examples/isp.json --base stock.xml -o campro.xml
  campro-edge push-iq examples/isp.json      # simulated board; --host 192.168.1.100: a real one
  campro-edge capture -o frame.png
  campro-edge rollback --stock

`campro-edge COMMAND --help` explains each command.
"""


def _command_modules() -> list:
    mods = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"{commands.__name__}.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campro-edge",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"campro-edge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(
            mod.NAME,
            help=mod.HELP,
            description=getattr(mod, "DESCRIPTION", mod.HELP),
            epilog=getattr(mod, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def dispatch(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse, run the chosen sub-command (its ``_run``), turn CamproError into one line."""
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except CamproError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
