"""CamPro ISP parameters: the validated input of everything else.

Two sources are accepted:

* ``isp.json`` — this project's own versioned schema (``campro-edge schema`` prints it);
* CamPro's artifact checkpoint (``default.pt``): an ordered dict
  ``{'degamma': None, 'ccm': {'ccm': Tensor[3, 3]}, 'gamma': {'keypoints': Tensor[N]}}``,
  loaded with ``torch.load(..., weights_only=True)`` (torch is an optional extra).

Conventions (those of CamPro's ``src/isp/{ccm,gamma}.py``): the CCM acts on linear RGB with
row = output channel (``out_i = sum_j ccm[i][j] * in_j``), its output is clipped to [0, 1];
the gamma curve is N >= 2 y-values at uniform x = k / (N - 1) on [0, 1], linearly interpolated.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from campro_edge.errors import InputError

SCHEMA_VERSION = 1
#: CamPro clamps its CCM to [-5, 5] while training (src/isp/ccm.py); the RV1126 register holds
#: [-8, 7.992] (see campro_edge.isp.registers). We accept what the hardware can hold and let the
#: hardware fit report anything that does not fit.
CCM_ABS_LIMIT = 7.99


class Metadata(BaseModel):
    """Free-form description of where a parameter set came from."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="Short name of the parameter set.")
    provenance: str | None = Field(
        default=None, description="How the parameters were made (training run, script, seed)."
    )
    notes: str | None = Field(default=None, description="Anything else a user should know.")


class IspParams(BaseModel):
    """CamPro's trainable ISP: a 3x3 CCM on linear RGB and a piecewise-linear gamma curve."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = Field(
        default=1, description="Version of this file format. Only 1 exists."
    )
    ccm: list[list[float]] = Field(
        description=(
            "3x3 colour correction matrix, row = output channel, applied to linear RGB in [0,1]; "
            f"output clipped to [0,1]. Each coefficient within +-{CCM_ABS_LIMIT}."
        ),
        min_length=3,
        max_length=3,
    )
    gamma: list[float] = Field(
        description=(
            "Gamma curve: N >= 2 output values in [0,1] at uniform inputs x = k/(N-1); "
            "linear interpolation between them. Need not be monotone."
        ),
        min_length=2,
        max_length=4096,
    )
    metadata: Metadata = Field(default_factory=Metadata)

    @field_validator("ccm")
    @classmethod
    def _check_ccm(cls, rows: list[list[float]]) -> list[list[float]]:
        for i, row in enumerate(rows):
            if len(row) != 3:
                raise ValueError(f"row {i} has {len(row)} values, expected 3 (a 3x3 matrix)")
            for j, v in enumerate(row):
                if not math.isfinite(v):
                    raise ValueError(f"ccm[{i}][{j}] = {v} is not finite")
                if abs(v) > CCM_ABS_LIMIT:
                    raise ValueError(
                        f"ccm[{i}][{j}] = {v:g} is outside the hardware range "
                        f"[-{CCM_ABS_LIMIT}, {CCM_ABS_LIMIT}]"
                    )
        return rows

    @field_validator("gamma")
    @classmethod
    def _check_gamma(cls, ys: list[float]) -> list[float]:
        for k, v in enumerate(ys):
            if not math.isfinite(v):
                raise ValueError(f"gamma[{k}] = {v} is not finite")
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"gamma[{k}] = {v:g} is outside the allowed range [0, 1]")
        return ys

    def ccm_array(self) -> np.ndarray:
        return np.asarray(self.ccm, dtype=np.float64)

    def gamma_array(self) -> np.ndarray:
        return np.asarray(self.gamma, dtype=np.float64)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``isp.json``."""
    schema = IspParams.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://campro-edge.invalid/schema/isp-v1.json"
    schema["title"] = "CamPro ISP parameters (isp.json)"
    return schema


def _first_error(exc: ValidationError, source: str) -> InputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = ""
    if err["type"] in {"list_type", "float_type", "float_parsing", "literal_error", "missing"} or (
        err["type"].startswith("too_") and not isinstance(value, dict)
    ):
        text = json.dumps(value) if not isinstance(value, str) else repr(value)
        if err["type"] != "missing" and len(text) <= 60:
            shown = f" (got {text})"
    return InputError(f"{source}: field '{loc}': {msg}{shown}")


def params_from_dict(data: Any, source: str = "isp.json") -> IspParams:
    """Validate a decoded ``isp.json`` document."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a JSON object with 'ccm' and 'gamma'")
    try:
        return IspParams.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, source) from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def load_params_json(path: Path) -> IspParams:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 JSON file") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except ValueError as exc:  # NaN / Infinity literals
        raise InputError(f"{path}: {exc}; every value must be a finite number") from None
    return params_from_dict(data, str(path))


def load_params_checkpoint(path: Path) -> IspParams:
    """Read CamPro's ``default.pt`` safely (``weights_only=True``)."""
    try:
        import torch
    except ImportError:
        raise InputError(
            f"{path}: reading CamPro checkpoints needs PyTorch; "
            "install it with: pip install 'campro-edge[torch]'"
        ) from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for truncated/non-torch files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a readable CamPro checkpoint ({reason[:120]})") from None
    if not isinstance(state, dict) or "ccm" not in state or "gamma" not in state:
        raise InputError(
            f"{path}: not a CamPro ISP checkpoint "
            "(expected keys 'ccm' -> {'ccm': 3x3} and 'gamma' -> {'keypoints': N})"
        )
    try:
        ccm = state["ccm"]["ccm"]
        keypoints = state["gamma"]["keypoints"]
    except (KeyError, TypeError):
        raise InputError(
            f"{path}: field 'ccm.ccm' or 'gamma.keypoints' missing from the checkpoint"
        ) from None
    if state.get("degamma", None) is not None:
        raise InputError(f"{path}: field 'degamma' has parameters; CamPro's degamma has none")
    ccm_a = np.asarray(ccm.detach().cpu().double().numpy() if hasattr(ccm, "detach") else ccm)
    kp_a = np.asarray(
        keypoints.detach().cpu().double().numpy() if hasattr(keypoints, "detach") else keypoints
    )
    if ccm_a.shape != (3, 3):
        raise InputError(f"{path}: field 'ccm.ccm' has shape {list(ccm_a.shape)}, expected [3, 3]")
    if kp_a.ndim != 1:
        raise InputError(
            f"{path}: field 'gamma.keypoints' has shape {list(kp_a.shape)}, expected [N]"
        )
    data = {
        "ccm": ccm_a.tolist(),
        "gamma": kp_a.tolist(),
        "metadata": {"name": path.stem, "provenance": f"CamPro checkpoint {path.name}"},
    }
    return params_from_dict(data, str(path))


def load_params(path: str | Path) -> IspParams:
    """Load ``isp.json`` or a CamPro ``.pt`` checkpoint; raises :class:`InputError`."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected isp.json or a CamPro .pt checkpoint")
    if p.suffix.lower() in {".pt", ".pth", ".ckpt"}:
        return load_params_checkpoint(p)
    return load_params_json(p)
