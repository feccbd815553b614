"""Argument helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydantic import BaseModel


def add_board_argument(parser: argparse.ArgumentParser, default: str | None = "rv1126") -> None:
    parser.add_argument(
        "--board",
        default=default,
        metavar="NAME",
        help="board description from board_configs/ (e.g. rv1126, sim-rv1126, rv1126b) "
        "or a path to a .toml file" + (f" (default: {default})" if default else ""),
    )


def print_json(obj: BaseModel | dict[str, Any]) -> None:
    data = obj.model_dump(mode="json") if isinstance(obj, BaseModel) else obj
    json.dump(data, sys.stdout, indent=2, allow_nan=True)
    sys.stdout.write("\n")
