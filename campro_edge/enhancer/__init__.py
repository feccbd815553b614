"""The CamPro enhancer (U-Net): network, checkpoints, training, ONNX export, host inference and
cost model. torch is an optional extra: modules that need it import it themselves, and command
modules call `require_torch` before importing them."""

from __future__ import annotations

from campro_edge.errors import CamproError


def require_torch(what: str) -> None:
    """Raise a one-line error when torch (the `torch` extra) is not installed."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise CamproError(
            f"{what} needs torch: install the extra with `pip install 'campro-edge[torch]'`"
        ) from None
