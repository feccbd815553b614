"""The enhancer network: a plain U-Net, 3 -> 3 channels, RGB in [0, 1] in and out.

The architecture follows CamPro's enhancer as documented in docs/enhancer.md (depth 5, 32 base
channels, LeakyReLU 0.2, 2x2 max-pool down, 2x2 stride-2 transposed-conv up, skip concatenation
after a centre crop, a 1x1 head, no output activation). Parameter names are chosen so that a
state dict saved by CamPro loads as-is:

    block_d{i}.conv{1,2}.{weight,bias}   encoder level i = 1..depth
    upsample{j}.up.{weight,bias}         decoder stage j = 1..depth-1 (j = 1 is the deepest)
    block_u{j}.conv{1,2}.{weight,bias}
    head.{weight,bias}

`depth` and `base_channels` are free, which gives the smaller variants meant for an NPU.
"""

from __future__ import annotations

import torch
from torch import nn

from campro_edge.enhancer.spec import CAMPRO_SPEC, PRESETS, SMALL_SPEC, UNetSpec

__all__ = [
    "CAMPRO_SPEC",
    "PRESETS",
    "SMALL_SPEC",
    "EnhancerForExport",
    "UNet",
    "UNetSpec",
    "count_parameters",
]


NEGATIVE_SLOPE = 0.2


class _DoubleConv(nn.Module):
    """Two 3x3 'same' convolutions, each followed by LeakyReLU(0.2)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, kernel_size=3, padding=1)
        self.act = nn.LeakyReLU(NEGATIVE_SLOPE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv2(self.act(self.conv1(x))))


class _Up(nn.Module):
    """Upsample by 2 with a learnt 2x2 transposed convolution."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cout, kernel_size=2, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.up(x)


def _centre_crop(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    h, w = x.shape[-2], x.shape[-1]
    if h == height and w == width:
        return x
    top = (h - height) // 2
    left = (w - width) // 2
    return x[..., top : top + height, left : left + width]


class UNet(nn.Module):
    """U-Net enhancer. Output is unbounded: clamp to [0, 1] for display (`EnhancerForExport`)."""

    def __init__(self, spec: UNetSpec = CAMPRO_SPEC) -> None:
        super().__init__()
        self.spec = spec
        widths = [spec.base_channels * 2**i for i in range(spec.depth)]
        self.pool = nn.MaxPool2d(2)
        cin = 3
        for level, width in enumerate(widths, start=1):
            self.add_module(f"block_d{level}", _DoubleConv(cin, width))
            cin = width
        # Decoder stage j takes the level depth-j+1 features up to the width of level depth-j.
        for stage in range(1, spec.depth):
            wide = widths[spec.depth - stage]
            narrow = widths[spec.depth - stage - 1]
            self.add_module(f"upsample{stage}", _Up(wide, narrow))
            self.add_module(f"block_u{stage}", _DoubleConv(2 * narrow, narrow))
        self.head = nn.Conv2d(widths[0], 3, kernel_size=1)

    def _child(self, name: str) -> nn.Module:
        return self._modules[name]  # type: ignore[return-value]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips: list[torch.Tensor] = []
        depth = self.spec.depth
        for level in range(1, depth):
            x = self._child(f"block_d{level}")(x)
            skips.append(x)
            x = self.pool(x)
        x = self._child(f"block_d{depth}")(x)
        for stage in range(1, depth):
            x = self._child(f"upsample{stage}")(x)
            skip = _centre_crop(skips[-stage], x.shape[-2], x.shape[-1])
            x = self._child(f"block_u{stage}")(torch.cat([x, skip], dim=1))
        return self.head(x)


class EnhancerForExport(nn.Module):
    """What is deployed: the U-Net followed by the clamp to [0, 1] that every caller applies."""

    def __init__(self, net: UNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(self.net(x), 0.0, 1.0)


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
