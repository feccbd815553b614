"""ONNX export of the enhancer at a fixed input size, and reading such a file back.

The exported graph is `clamp(UNet(x), 0, 1)`: input `input` float32 NCHW RGB in [0, 1], output
`output` float32 NCHW RGB in [0, 1]. Metadata (`metadata_props`) records the U-Net shape, the
layout and, when known, the ISP parameters the enhancer undoes, so that an .onnx file can be
compiled later without its .pt.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from campro_edge.enhancer.spec import UNetSpec
from campro_edge.errors import InputError
from campro_edge.fileio import write_atomic

if TYPE_CHECKING:
    from campro_edge.enhancer.unet import UNet

INPUT_NAME = "input"
OUTPUT_NAME = "output"
OPSET = 13
META_SPEC = "campro_edge.unet_spec"
META_ISP = "campro_edge.isp_params"
META_LAYOUT = "campro_edge.layout"
LAYOUT = "NCHW float32 RGB in [0,1] -> NCHW float32 RGB in [0,1]"


class OnnxInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: Path
    width: int
    height: int
    spec: UNetSpec | None
    isp_params: dict[str, Any] | None


def check_size(spec: UNetSpec, width: int, height: int) -> None:
    if width <= 0 or height <= 0 or width % spec.stride or height % spec.stride:
        raise InputError(
            f"input size {width}x{height} must be positive multiples of {spec.stride} "
            f"for a depth-{spec.depth} U-Net"
        )


def export_onnx(
    net: UNet,
    path: str | Path,
    width: int,
    height: int,
    isp_params: dict[str, Any] | None = None,
) -> OnnxInfo:
    import onnx
    import torch

    from campro_edge.enhancer.unet import EnhancerForExport

    check_size(net.spec, width, height)
    model = EnhancerForExport(net).eval()
    dummy = torch.zeros(1, 3, height, width)
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation/tracer chatter
        torch.onnx.export(
            model,
            (dummy,),
            buf,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    proto = onnx.load_from_string(buf.getvalue())
    meta = {META_SPEC: net.spec.model_dump_json(), META_LAYOUT: LAYOUT}
    if isp_params is not None:
        meta[META_ISP] = json.dumps(isp_params)
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    write_atomic(path, proto.SerializeToString())
    return OnnxInfo(
        path=Path(path), width=width, height=height, spec=net.spec, isp_params=isp_params
    )


def read_onnx_info(path: str | Path) -> OnnxInfo:
    """Input size and campro-edge metadata of an exported enhancer (InputError if unusable)."""
    import onnx

    p = Path(path)
    try:
        proto = onnx.load(str(p), load_external_data=False)
    except Exception as exc:
        raise InputError(f"{p}: not a readable ONNX model ({type(exc).__name__})") from exc
    inputs = [
        i for i in proto.graph.input if i.name not in {t.name for t in proto.graph.initializer}
    ]
    if len(inputs) != 1 or len(proto.graph.output) != 1:
        raise InputError(f"{p}: an enhancer has one input and one output")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if len(dims) != 4 or dims[1] != 3 or dims[2] <= 0 or dims[3] <= 0:
        raise InputError(f"{p}: input must be fixed-size NCHW with 3 channels, got {dims}")
    meta = {m.key: m.value for m in proto.metadata_props}
    spec = UNetSpec.model_validate_json(meta[META_SPEC]) if META_SPEC in meta else None
    isp = json.loads(meta[META_ISP]) if META_ISP in meta else None
    return OnnxInfo(path=p, width=dims[3], height=dims[2], spec=spec, isp_params=isp)
