"""What an enhancer costs at a given input size, and the frame rate that implies on an NPU.

Counted analytically from the U-Net's shape (no torch needed): parameters, and multiply-
accumulates (MACs) of the convolutions, transposed convolutions and the head. Pooling, LeakyReLU,
concatenation and the clamp are not MACs and are left out. The frame rate is an ESTIMATE: the
NPU's nominal int8 peak (vendor figure, see docs/enhancer.md for sources) divided by 2 x MACs per
frame. It is an upper bound; real NPUs reach a fraction of their peak (memory bandwidth, layer
shapes, pre/post-processing). Measure on the board before relying on it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from campro_edge.enhancer.spec import UNetSpec


class NpuSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    target: str
    int8_tops: float  # nominal peak, vendor figure
    source: str


# Nominal int8 throughput per rknn target. Sources are cited in docs/enhancer.md.
NPU_SPECS: dict[str, NpuSpec] = {
    s.target: s
    for s in (
        NpuSpec(target="rv1126b", int8_tops=3.0, source="Fanconn RV1126BP module spec"),
        NpuSpec(target="rv1126", int8_tops=2.0, source="Rockchip RV1126 product brief"),
        NpuSpec(target="rv1106", int8_tops=0.5, source="Rockchip RV1106 product brief"),
        NpuSpec(target="rv1103", int8_tops=0.5, source="Rockchip RV1103 product brief"),
        NpuSpec(target="rk3562", int8_tops=1.0, source="Rockchip RK3562 product brief"),
        NpuSpec(target="rk3566", int8_tops=0.8, source="Rockchip RK3566 product brief"),
        NpuSpec(target="rk3568", int8_tops=1.0, source="Rockchip RK3568 product brief"),
        NpuSpec(target="rk3576", int8_tops=6.0, source="Rockchip RK3576 product brief"),
        NpuSpec(target="rk3588", int8_tops=6.0, source="Rockchip RK3588 product brief"),
    )
}


class ModelCost(BaseModel):
    model_config = ConfigDict(frozen=True)

    spec: UNetSpec
    width: int
    height: int
    params: int
    macs: int  # per frame at width x height

    @property
    def gmacs(self) -> float:
        return self.macs / 1e9


class FpsEstimate(BaseModel):
    model_config = ConfigDict(frozen=True)

    target: str
    int8_tops: float
    fps_upper_bound: float  # nominal peak / (2 x MACs); an estimate, never a measurement


def _conv(cin: int, cout: int, k: int, h: int, w: int) -> tuple[int, int]:
    """(params, MACs) of a stride-1 'same' convolution producing cout x h x w."""
    return cout * cin * k * k + cout, cout * cin * k * k * h * w


def unet_cost(spec: UNetSpec, width: int, height: int) -> ModelCost:
    """Parameters and MACs per frame of `UNet(spec)` on a width x height input."""
    if width % spec.stride or height % spec.stride:
        raise ValueError(f"{width}x{height} is not a multiple of {spec.stride}")
    widths = [spec.base_channels * 2**i for i in range(spec.depth)]
    params = macs = 0

    def add(pm: tuple[int, int]) -> None:
        nonlocal params, macs
        params += pm[0]
        macs += pm[1]

    cin = 3
    for level, cout in enumerate(widths):
        h, w = height >> level, width >> level
        add(_conv(cin, cout, 3, h, w))
        add(_conv(cout, cout, 3, h, w))
        cin = cout
    for stage in range(1, spec.depth):
        level = spec.depth - stage - 1  # the level this stage comes up to
        wide, narrow = widths[level + 1], widths[level]
        h, w = height >> level, width >> level
        # ConvTranspose2d(k=2, s=2): each input pixel writes a 2x2 block of every output channel.
        add((wide * narrow * 4 + narrow, wide * narrow * 4 * (h // 2) * (w // 2)))
        add(_conv(2 * narrow, narrow, 3, h, w))
        add(_conv(narrow, narrow, 3, h, w))
    add(_conv(widths[0], 3, 1, height, width))
    return ModelCost(spec=spec, width=width, height=height, params=params, macs=macs)


def estimate_fps(cost: ModelCost, target: str) -> FpsEstimate | None:
    npu = NPU_SPECS.get(target)
    if npu is None:
        return None
    return FpsEstimate(
        target=target,
        int8_tops=npu.int8_tops,
        fps_upper_bound=npu.int8_tops * 1e12 / (2.0 * cost.macs),
    )


def cost_lines(cost: ModelCost, target: str | None) -> list[str]:
    """Human-readable report; the fps line says plainly that it is an estimate."""
    lines = [
        f"model {cost.spec.label()}: {cost.params:,} parameters",
        f"{cost.gmacs:.2f} GMACs per {cost.width}x{cost.height} frame",
    ]
    est = estimate_fps(cost, target) if target else None
    if est is not None:
        lines.append(
            f"ESTIMATE (not a measurement): at most {est.fps_upper_bound:.1f} fps on {target}'s "
            f"nominal {est.int8_tops:g} int8 TOPS; real NPUs reach a fraction of peak"
        )
    return lines
