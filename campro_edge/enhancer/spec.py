"""The shape of an enhancer U-Net (no torch needed: the CLI and the cost model use it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class UNetSpec(BaseModel):
    """The two numbers that define an enhancer's shape."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    depth: int = Field(5, ge=2, le=7)
    base_channels: int = Field(32, ge=1, le=128)

    @property
    def stride(self) -> int:
        """Input height and width must be multiples of this (one halving per pooling)."""
        return 2 ** (self.depth - 1)

    def label(self) -> str:
        return f"unet-d{self.depth}-c{self.base_channels}"


CAMPRO_SPEC = UNetSpec(depth=5, base_channels=32)
SMALL_SPEC = UNetSpec(depth=4, base_channels=8)
PRESETS: dict[str, UNetSpec] = {"campro": CAMPRO_SPEC, "small": SMALL_SPEC}
