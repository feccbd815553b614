"""Typed messages between campro-edge and the worker inside the toolchain virtualenv.

This module is imported on both sides: by `campro_edge.toolchain.client` (main environment,
numpy 2) and by `worker.py` run with the toolchain's python (numpy 1.26, rknn-toolkit2). It must
only import the standard library and pydantic.

Images cross the boundary as files: `.png` (8-bit RGB written as PNG) for the quantisation
dataset, `.npy` uint8 HxWx3 RGB for simulator inputs, `.npy` float32 HxWx3 for simulator outputs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1

# Targets rknn-toolkit2 (RKNPU2) builds for, as `target_platform` names.
RKNPU2_TARGETS = ("rv1126b", "rv1106", "rv1103", "rk3562", "rk3566", "rk3568", "rk3576", "rk3588")
# RKNPU1 chips: rknn-toolkit 1.x only, which is not on PyPI.
RKNPU1_TARGETS = ("rv1126", "rv1109", "rk1808", "rk3399pro")


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProbeRequest(_Msg):
    op: Literal["probe"] = "probe"
    protocol: int = PROTOCOL_VERSION


class BuildRequest(_Msg):
    """Convert one ONNX model, export the .rknn, then run the simulator on `eval_inputs`."""

    op: Literal["build"] = "build"
    protocol: int = PROTOCOL_VERSION
    onnx_path: str
    rknn_path: str
    target: str
    # Normalisation folded into the model: the NPU gets uint8 RGB, the network sees (x-mean)/std.
    mean_values: list[float] = Field(min_length=3, max_length=3)
    std_values: list[float] = Field(min_length=3, max_length=3)
    quantize: bool = True
    quantized_dtype: str = "w8a8"
    quantized_algorithm: Literal["normal", "mmse", "kl_divergence"] = "normal"
    quantized_method: Literal["channel", "layer"] = "channel"
    auto_hybrid: bool = False
    auto_hybrid_cos_thresh: float = Field(0.98, gt=0, le=1)
    dataset_paths: list[str] = []  # calibration images (PNG)
    eval_inputs: list[str] = []  # uint8 HxWx3 RGB .npy files for the simulator
    eval_output_dir: str = ""  # where the simulator outputs go, one .npy per input


class ProbeResponse(_Msg):
    op: Literal["probe"] = "probe"
    ok: bool
    protocol: int
    python: str
    toolkit_version: str
    numpy_version: str
    error: str = ""


class BuildResponse(_Msg):
    op: Literal["build"] = "build"
    ok: bool
    toolkit_version: str = ""
    rknn_path: str = ""
    eval_outputs: list[str] = []  # float32 HxWx3 .npy, same order as eval_inputs
    # Where it failed: config, load_onnx, build, export_rknn, init_runtime, inference.
    stage: str = ""
    error: str = ""


Request = Annotated[ProbeRequest | BuildRequest, Field(discriminator="op")]
Response = Annotated[ProbeResponse | BuildResponse, Field(discriminator="op")]


class RequestEnvelope(_Msg):
    request: Request


class ResponseEnvelope(_Msg):
    response: Response
