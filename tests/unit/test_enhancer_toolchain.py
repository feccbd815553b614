"""The toolchain side that needs no toolkit: protocol, worker isolation, venv bookkeeping."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from campro_edge.errors import ToolchainError
from campro_edge.toolchain import client, environment
from campro_edge.toolchain.protocol import (
    BuildRequest,
    BuildResponse,
    ProbeRequest,
    RequestEnvelope,
    ResponseEnvelope,
)

PKG = Path(environment.__file__).resolve().parent


def top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_protocol_needs_only_stdlib_and_pydantic() -> None:
    mods = top_level_imports(PKG / "protocol.py") - {"__future__"}
    assert mods - set(sys.stdlib_module_names) == {"pydantic"}


def test_worker_imports_no_campro_edge_module() -> None:
    mods = top_level_imports(PKG / "worker.py") - {"__future__"}
    assert mods - set(sys.stdlib_module_names) == {"protocol", "numpy", "rknn"}


def test_envelopes_round_trip_by_discriminator() -> None:
    req = BuildRequest(
        onnx_path="a.onnx",
        rknn_path="a.rknn",
        target="rv1126b",
        mean_values=[0, 0, 0],
        std_values=[255, 255, 255],
        dataset_paths=["c.png"],
    )
    back = RequestEnvelope.model_validate_json(RequestEnvelope(request=req).model_dump_json())
    assert back.request == req
    probe = RequestEnvelope.model_validate_json(
        RequestEnvelope(request=ProbeRequest()).model_dump_json()
    )
    assert isinstance(probe.request, ProbeRequest)
    resp = ResponseEnvelope(response=BuildResponse(ok=False, stage="build", error="x"))
    assert ResponseEnvelope.model_validate_json(resp.model_dump_json()).response == resp.response


def test_missing_toolchain_is_one_actionable_error(tmp_path: Path) -> None:
    with pytest.raises(ToolchainError, match="make toolchain"):
        client.probe(tmp_path / "nothing")
    assert not environment.is_ready(tmp_path / "nothing")


def test_location_follows_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPRO_EDGE_TOOLCHAIN", str(tmp_path / "tc"))
    assert environment.toolchain_dir() == (tmp_path / "tc").resolve()
    with pytest.raises(ToolchainError, match="not set up"):
        environment.ensure(auto_create=False)


def test_a_stale_stamp_means_not_ready(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").write_text("")
    stamp = environment.Stamp(recipe="old", toolkit_version="2.5.0", python="3.11")
    (tmp_path / environment.STAMP_NAME).write_text(stamp.model_dump_json())
    assert not environment.is_ready(tmp_path)
    fresh = stamp.model_copy(update={"recipe": environment.recipe_hash()})
    (tmp_path / environment.STAMP_NAME).write_text(fresh.model_dump_json())
    assert environment.is_ready(tmp_path)
