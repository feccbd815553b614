"""Pass/fail thresholds for `verify`: sensible defaults, optionally overridden by a JSON file.

A threshold set to null is not checked (the value is still reported). Fractions are in [0, 1].
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from campro_edge.errors import InputError


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    isp_mean_error_max: float | None = Field(
        12.0, ge=0, description="ISP-applied check: mean |predicted - captured| in 8-bit levels "
        "(correct IQ through NV12: ~5; a different IQ: tens)."
    )
    raw_top1_min: float | None = Field(
        0.90, ge=0, le=1, description="Recogniser sanity: top-1 on raw probes (dlib on LFW ~0.97)."
    )
    captured_top1_max: float | None = Field(
        0.05, ge=0, le=1, description="Privacy: top-1 identification of captured probes."
    )
    enhanced_top1_max: float | None = Field(
        None, ge=0, le=1,
        description="Privacy of enhanced frames (reported; not checked by default).",
    )
    restored_top1_max: float | None = Field(
        None, ge=0, le=1, description="White-box restoration attack (reported; not checked by "
        "default: robustness to restoration is a later issue)."
    )
    detection_ratio_min: float | None = Field(
        0.80, ge=0, description="Utility: enhanced person-detection rate / raw detection rate."
    )
    enhanced_psnr_min: float | None = Field(
        None, description="Image quality: mean PSNR (dB) of enhanced vs raw."
    )


def load_thresholds(path: str | Path | None) -> Thresholds:
    """Defaults, or the defaults overridden by the keys of a JSON file."""
    if path is None:
        return Thresholds()
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such thresholds file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: not a valid JSON thresholds file ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{p}: expected a JSON object of thresholds")
    try:
        return Thresholds.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        raise InputError(f"{p}: field '{loc}': {err['msg']}") from None
