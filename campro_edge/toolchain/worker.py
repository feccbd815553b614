"""Runs INSIDE the toolchain virtualenv (rknn-toolkit2, numpy 1.26): `python worker.py REQ RESP`.

Reads one request (JSON, see protocol.py), does it with rknn-toolkit2, writes one response. It
imports nothing from campro_edge except the sibling `protocol` module (stdlib + pydantic), because
the main package needs numpy 2 and this environment pins numpy 1.26. The toolkit's chatter goes to
stdout/stderr, which the caller sends to a log file.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from protocol import (  # type: ignore[import-not-found]  # sibling module when run as a script
    PROTOCOL_VERSION,
    BuildRequest,
    BuildResponse,
    ProbeRequest,
    ProbeResponse,
    RequestEnvelope,
    ResponseEnvelope,
)


def _toolkit_version() -> str:
    from importlib.metadata import version

    return version("rknn-toolkit2")


def probe(_: ProbeRequest) -> ProbeResponse:
    import numpy

    try:
        from rknn.api import RKNN  # noqa: F401  (import check only)
    except Exception as exc:  # the toolkit fails in many ways when its pins are off
        return ProbeResponse(
            ok=False,
            protocol=PROTOCOL_VERSION,
            python=sys.version.split()[0],
            toolkit_version="",
            numpy_version=numpy.__version__,
            error=f"cannot import rknn.api: {type(exc).__name__}: {exc}",
        )
    return ProbeResponse(
        ok=True,
        protocol=PROTOCOL_VERSION,
        python=sys.version.split()[0],
        toolkit_version=_toolkit_version(),
        numpy_version=numpy.__version__,
    )


class _StageFailed(Exception):
    def __init__(self, stage: str, detail: str) -> None:
        super().__init__(detail)
        self.stage = stage


def _check(stage: str, ret: int) -> None:
    if ret != 0:
        raise _StageFailed(stage, f"rknn.{stage} returned {ret} (details in the log)")


def build(req: BuildRequest) -> BuildResponse:
    import numpy as np
    from rknn.api import RKNN

    version = _toolkit_version()
    out_dir = Path(req.eval_output_dir) if req.eval_output_dir else None
    rknn = RKNN(verbose=False)
    try:
        _check(
            "config",
            rknn.config(
                mean_values=[req.mean_values],
                std_values=[req.std_values],
                target_platform=req.target,
                quantized_dtype=req.quantized_dtype,
                quantized_algorithm=req.quantized_algorithm,
                quantized_method=req.quantized_method,
                auto_hybrid_cos_thresh=req.auto_hybrid_cos_thresh,
            ),
        )
        _check("load_onnx", rknn.load_onnx(model=req.onnx_path))
        dataset = None
        if req.quantize:
            if not req.dataset_paths:
                raise _StageFailed("build", "quantisation needs calibration images")
            dataset_file = Path(req.rknn_path).with_suffix(".dataset.txt")
            dataset_file.write_text("".join(f"{p}\n" for p in req.dataset_paths), encoding="utf-8")
            dataset = str(dataset_file)
        try:
            ret = rknn.build(
                do_quantization=req.quantize, dataset=dataset, auto_hybrid=req.auto_hybrid
            )
        finally:
            if dataset is not None:
                Path(dataset).unlink(missing_ok=True)
        _check("build", ret)
        _check("export_rknn", rknn.export_rknn(req.rknn_path))
        outputs: list[str] = []
        if req.eval_inputs:
            if out_dir is None:
                raise _StageFailed("inference", "eval_inputs given without eval_output_dir")
            out_dir.mkdir(parents=True, exist_ok=True)
            _check("init_runtime", rknn.init_runtime(target=None))  # None = the simulator
            for i, path in enumerate(req.eval_inputs):
                img = np.load(path)
                if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
                    raise _StageFailed("inference", f"{path}: expected uint8 HxWx3")
                result = rknn.inference(inputs=[img[None]], data_format="nhwc")
                if not result:
                    raise _StageFailed("inference", f"simulator returned nothing for {path}")
                out = np.asarray(result[0], dtype=np.float32)
                out = out.reshape(out.shape[-3:]).transpose(1, 2, 0)  # NCHW -> HWC
                target = out_dir / f"sim_{i:04d}.npy"
                np.save(target, np.ascontiguousarray(out))
                outputs.append(str(target))
        return BuildResponse(
            ok=True, toolkit_version=version, rknn_path=req.rknn_path, eval_outputs=outputs
        )
    except _StageFailed as exc:
        return BuildResponse(ok=False, toolkit_version=version, stage=exc.stage, error=str(exc))
    finally:
        rknn.release()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: worker.py REQUEST.json RESPONSE.json", file=sys.stderr)
        return 2
    req_path, resp_path = Path(argv[1]), Path(argv[2])
    envelope = RequestEnvelope.model_validate_json(req_path.read_text(encoding="utf-8"))
    request = envelope.request
    try:
        if isinstance(request, ProbeRequest):
            response: ProbeResponse | BuildResponse = probe(request)
        else:
            response = build(request)
    except Exception as exc:  # report anything the toolkit throws as a failed response
        traceback.print_exc()
        if isinstance(request, ProbeRequest):
            response = ProbeResponse(
                ok=False,
                protocol=PROTOCOL_VERSION,
                python=sys.version.split()[0],
                toolkit_version="",
                numpy_version="",
                error=f"{type(exc).__name__}: {exc}",
            )
        else:
            response = BuildResponse(
                ok=False, stage="exception", error=f"{type(exc).__name__}: {exc}"
            )
    resp_path.write_text(ResponseEnvelope(response=response).model_dump_json(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
