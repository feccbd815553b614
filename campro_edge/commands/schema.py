"""`campro-edge schema`: print the JSON Schema of isp.json."""

from __future__ import annotations

import argparse
import json

from campro_edge.params import json_schema

NAME = "schema"
HELP = "print the JSON Schema of isp.json"
DESCRIPTION = """\
Print the JSON Schema (draft 2020-12) of isp.json, the parameter file every command reads.

isp.json holds CamPro's two trained stages: "ccm", a 3x3 matrix (row = output channel) applied
to linear RGB with the output clipped to [0, 1], and "gamma", N >= 2 output values at uniform
inputs k/(N-1) on [0, 1], linearly interpolated. "schema_version" is 1; "metadata" (name,
provenance, notes) is optional.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--indent", type=int, default=2, help="JSON indentation (default: 2)")


def run(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=args.indent))
    return 0
