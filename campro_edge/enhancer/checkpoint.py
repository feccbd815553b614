"""Reading and writing enhancer checkpoints.

Two kinds load:
- ours (`train-enhancer -o enhancer.pt`): a dict with `format = "campro-edge-enhancer"`, the
  U-Net shape, the weights, the ISP parameters it was trained to undo, and training state;
- CamPro's `UNet.pt`: a bare state dict in CamPro's key layout (optionally wrapped in
  `state_dict`/`model`, or with DataParallel's `module.` prefix). Its shape is read from the keys.
Everything is loaded with `weights_only=True`: a pickled module is refused, not executed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict

from campro_edge.enhancer.unet import UNet, UNetSpec
from campro_edge.errors import InputError
from campro_edge.fileio import write_atomic

FORMAT = "campro-edge-enhancer"
FORMAT_VERSION = 1
_LEVEL_KEY = re.compile(r"^block_d(\d+)\.conv1\.weight$")


class LoadedEnhancer(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    net: UNet
    spec: UNetSpec
    kind: str  # "campro-edge" or "state-dict"
    isp_params: dict[str, Any] | None = None  # the parameters it was trained for, if recorded
    extra: dict[str, Any] = {}


def spec_from_state_dict(state: dict[str, torch.Tensor], source: str) -> UNetSpec:
    levels = sorted(int(m.group(1)) for k in state if (m := _LEVEL_KEY.match(k)))
    if not levels or levels != list(range(1, len(levels) + 1)) or "head.weight" not in state:
        raise InputError(f"{source}: not a U-Net state dict in CamPro's layout (block_d1..., head)")
    base = int(state["block_d1.conv1.weight"].shape[0])
    try:
        return UNetSpec(depth=len(levels), base_channels=base)
    except ValueError as exc:
        raise InputError(f"{source}: unsupported U-Net shape: {exc}") from exc


def _unwrap(obj: Any, source: str) -> dict[str, torch.Tensor]:
    if isinstance(obj, dict):
        for key in ("state_dict", "model", "net", "unet"):
            if key in obj and isinstance(obj[key], dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise InputError(f"{source}: expected a state dict of tensors")
    return {k.removeprefix("module."): v for k, v in obj.items()}


def net_from_state_dict(
    state: dict[str, torch.Tensor], source: str, spec: UNetSpec | None = None
) -> UNet:
    spec = spec or spec_from_state_dict(state, source)
    net = UNet(spec)
    result = net.load_state_dict(state, strict=False)
    problems = [f"missing {k}" for k in result.missing_keys]
    problems += [f"unexpected {k}" for k in result.unexpected_keys]
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{source}: weights do not fit {spec.label()}: {problems[0]}{more}")
    return net.eval()


def _torch_load(path: Path) -> Any:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except Exception as exc:  # pickle errors come in many types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{path}: not a loadable weights file (only tensors/state dicts load): {first[:160]}"
        ) from exc


def load_enhancer(path: str | Path) -> LoadedEnhancer:
    p = Path(path)
    obj = _torch_load(p)
    if isinstance(obj, dict) and obj.get("format") == FORMAT:
        if obj.get("version") != FORMAT_VERSION:
            raise InputError(f"{p}: enhancer checkpoint version {obj.get('version')} unsupported")
        spec = UNetSpec.model_validate(obj["spec"])
        net = net_from_state_dict(_unwrap(obj["state_dict"], str(p)), str(p), spec)
        return LoadedEnhancer(
            net=net,
            spec=spec,
            kind="campro-edge",
            isp_params=obj.get("isp_params"),
            extra={k: obj[k] for k in ("training", "progress") if k in obj},
        )
    state = _unwrap(obj, str(p))
    net = net_from_state_dict(state, str(p))
    return LoadedEnhancer(net=net, spec=net.spec, kind="state-dict")


def save_enhancer(
    path: str | Path,
    net: UNet,
    isp_params: dict[str, Any] | None,
    training: dict[str, Any] | None = None,
    progress: dict[str, Any] | None = None,
) -> Path:
    """Write our checkpoint format atomically (a crash never leaves half a file)."""
    import io

    payload: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "spec": net.spec.model_dump(),
        "state_dict": {k: v.detach().cpu() for k, v in net.state_dict().items()},
        "isp_params": isp_params,
    }
    if training is not None:
        payload["training"] = training
    if progress is not None:
        payload["progress"] = progress
    buf = io.BytesIO()
    torch.save(payload, buf)
    return write_atomic(path, buf.getvalue())
