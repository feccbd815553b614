"""Cost model: analytic parameters/MACs against counts taken from the real torch modules."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from campro_edge.enhancer.cost import cost_lines, estimate_fps, unet_cost
from campro_edge.enhancer.unet import CAMPRO_SPEC, UNet, UNetSpec, count_parameters


def measured_macs(net: nn.Module, width: int, height: int) -> int:
    """MACs counted by hooks on every (transposed) convolution during a real forward pass."""
    total = 0

    def conv_hook(mod: nn.Module, inp: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        nonlocal total
        assert isinstance(mod, nn.Conv2d)
        kh, kw = mod.kernel_size
        total += out[0].numel() * (mod.in_channels // mod.groups) * kh * kw

    def tconv_hook(mod: nn.Module, inp: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        nonlocal total
        assert isinstance(mod, nn.ConvTranspose2d)
        kh, kw = mod.kernel_size
        total += inp[0][0].numel() * mod.out_channels * kh * kw

    for m in net.modules():
        if isinstance(m, nn.ConvTranspose2d):
            m.register_forward_hook(tconv_hook)
        elif isinstance(m, nn.Conv2d):
            m.register_forward_hook(conv_hook)
    with torch.no_grad():
        net(torch.zeros(1, 3, height, width))
    return total


@pytest.mark.parametrize(
    "spec,w,h",
    [
        (UNetSpec(depth=4, base_channels=8), 64, 48),
        (UNetSpec(depth=3, base_channels=6), 32, 16),
        (UNetSpec(depth=5, base_channels=32), 32, 32),
    ],
)
def test_analytic_cost_matches_the_real_network(spec: UNetSpec, w: int, h: int) -> None:
    net = UNet(spec).eval()
    cost = unet_cost(spec, w, h)
    assert cost.params == count_parameters(net)
    assert cost.macs == measured_macs(net, w, h)


def test_hand_computed_two_level_net() -> None:
    # depth 2, base 1, 2x2 input: d1 convs 3->1, 1->1 at 2x2; d2 convs 1->2, 2->2 at 1x1;
    # up 2->1 (k2s2) from 1x1; u1 convs 2->1, 1->1 at 2x2; head 1->3 at 2x2.
    macs = (27 + 9) * 4 + (18 + 36) * 1 + 2 * 4 * 1 + (18 + 9) * 4 + 3 * 4
    assert unet_cost(UNetSpec(depth=2, base_channels=1), 2, 2).macs == macs


def test_fps_estimate_is_peak_over_two_ops_per_mac_and_labelled() -> None:
    cost = unet_cost(CAMPRO_SPEC, 1280, 720)
    est = estimate_fps(cost, "rv1126b")
    assert est is not None
    assert est.fps_upper_bound == pytest.approx(3e12 / (2 * cost.macs))
    text = "\n".join(cost_lines(cost, "rv1126b"))
    assert "ESTIMATE (not a measurement)" in text
    assert estimate_fps(cost, "no-such-npu") is None


def test_sizes_that_are_not_multiples_of_the_stride_are_rejected() -> None:
    with pytest.raises(ValueError):
        unet_cost(CAMPRO_SPEC, 1920, 1080)
