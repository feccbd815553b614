"""The U-Net: CamPro's shape and key layout, loading CamPro-layout state dicts."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from campro_edge.enhancer.checkpoint import load_enhancer, save_enhancer
from campro_edge.enhancer.unet import CAMPRO_SPEC, UNet, UNetSpec, count_parameters
from campro_edge.errors import InputError


def campro_layout_shapes(depth: int, base: int) -> dict[str, tuple[int, ...]]:
    """Key -> shape of CamPro's `UNet(depth, base)` state dict, written out from its description
    (ANDROID_AND_PEERS.md 2.2), independently of our module."""
    shapes: dict[str, tuple[int, ...]] = {}
    widths = [base * 2**i for i in range(depth)]
    cin = 3
    for i, w in enumerate(widths, start=1):
        shapes[f"block_d{i}.conv1.weight"] = (w, cin, 3, 3)
        shapes[f"block_d{i}.conv1.bias"] = (w,)
        shapes[f"block_d{i}.conv2.weight"] = (w, w, 3, 3)
        shapes[f"block_d{i}.conv2.bias"] = (w,)
        cin = w
    for j in range(1, depth):
        wide, narrow = widths[depth - j], widths[depth - j - 1]
        shapes[f"upsample{j}.up.weight"] = (wide, narrow, 2, 2)  # ConvTranspose2d: (in, out, k, k)
        shapes[f"upsample{j}.up.bias"] = (narrow,)
        shapes[f"block_u{j}.conv1.weight"] = (narrow, wide, 3, 3)
        shapes[f"block_u{j}.conv1.bias"] = (narrow,)
        shapes[f"block_u{j}.conv2.weight"] = (narrow, narrow, 3, 3)
        shapes[f"block_u{j}.conv2.bias"] = (narrow,)
    shapes["head.weight"] = (3, base, 1, 1)
    shapes["head.bias"] = (3,)
    return shapes


def random_campro_state(depth: int, base: int, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        k: torch.randn(s, generator=g) * (0.5 / (s[1] * 9) ** 0.5 if len(s) == 4 else 0.01)
        for k, s in campro_layout_shapes(depth, base).items()
    }


def reference_forward(state: dict[str, torch.Tensor], depth: int, x: torch.Tensor) -> torch.Tensor:
    """CamPro's forward pass written with torch.nn.functional straight from the state dict."""

    def block(prefix: str, t: torch.Tensor) -> torch.Tensor:
        for conv in ("conv1", "conv2"):
            t = F.conv2d(
                t, state[f"{prefix}.{conv}.weight"], state[f"{prefix}.{conv}.bias"], padding=1
            )
            t = F.leaky_relu(t, 0.2)
        return t

    feats = []
    for i in range(1, depth):
        t = block(f"block_d{i}", x)
        feats.append(t)
        x = F.max_pool2d(t, 2)
    x = block(f"block_d{depth}", x)
    for j in range(1, depth):
        up = F.conv_transpose2d(
            x, state[f"upsample{j}.up.weight"], state[f"upsample{j}.up.bias"], stride=2
        )
        x = block(f"block_u{j}", torch.cat([up, feats[-j]], dim=1))
    return F.conv2d(x, state["head.weight"], state["head.bias"])


def test_campro_unet_has_the_documented_parameter_count() -> None:
    assert count_parameters(UNet(CAMPRO_SPEC)) == 7_760_163


@pytest.mark.parametrize("depth,base", [(5, 32), (4, 8), (3, 4)])
def test_state_dict_layout_is_campros(depth: int, base: int) -> None:
    net = UNet(UNetSpec(depth=depth, base_channels=base))
    got = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    assert got == campro_layout_shapes(depth, base)


def test_output_has_input_size_for_multiples_of_the_stride() -> None:
    net = UNet(UNetSpec(depth=4, base_channels=4)).eval()
    with torch.no_grad():
        assert net(torch.rand(2, 3, 24, 40)).shape == (2, 3, 24, 40)


@pytest.mark.parametrize("wrap", ["bare", "module-prefix", "state_dict-key"])
def test_loads_a_campro_layout_state_dict_and_computes_campros_function(
    tmp_path: Path, wrap: str
) -> None:
    state = random_campro_state(5, 32)
    obj: object = state
    if wrap == "module-prefix":
        obj = {f"module.{k}": v for k, v in state.items()}
    elif wrap == "state_dict-key":
        obj = {"state_dict": state, "epoch": 3}
    path = tmp_path / "UNet.pt"
    torch.save(obj, path)
    loaded = load_enhancer(path)
    assert loaded.spec == CAMPRO_SPEC
    assert loaded.kind == "state-dict"
    x = torch.rand(1, 3, 32, 48, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ours = loaded.net(x)
        ref = reference_forward(state, 5, x)
    assert torch.allclose(ours, ref, atol=1e-5), float((ours - ref).abs().max())


def test_shape_is_read_from_the_keys(tmp_path: Path) -> None:
    path = tmp_path / "small.pt"
    torch.save(random_campro_state(3, 8), path)
    assert load_enhancer(path).spec == UNetSpec(depth=3, base_channels=8)


def test_a_state_dict_that_does_not_fit_is_refused_in_one_line(tmp_path: Path) -> None:
    state = random_campro_state(4, 8)
    del state["upsample2.up.bias"]
    path = tmp_path / "broken.pt"
    torch.save(state, path)
    with pytest.raises(InputError, match="missing upsample2.up.bias") as err:
        load_enhancer(path)
    assert "\n" not in str(err.value)


def test_a_pickled_module_is_refused_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "module.pt"
    torch.save(UNet(UNetSpec(depth=2, base_channels=4)), path)
    with pytest.raises(InputError, match="not a loadable weights file"):
        load_enhancer(path)


def test_our_checkpoint_round_trips_weights_and_parameters(tmp_path: Path) -> None:
    net = UNet(UNetSpec(depth=3, base_channels=4))
    params = {"schema_version": 1, "ccm": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "gamma": [0, 1]}
    save_enhancer(tmp_path / "e.pt", net, params, training={"steps": 1})
    loaded = load_enhancer(tmp_path / "e.pt")
    assert loaded.kind == "campro-edge"
    assert loaded.isp_params == params
    for k, v in net.state_dict().items():
        assert torch.equal(loaded.net.state_dict()[k], v)
