"""Training: it learns, it resumes exactly, and train-enhancer works on real images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from campro_edge.enhancer.checkpoint import load_enhancer
from campro_edge.enhancer.data import crop_resize, split_held_out
from campro_edge.enhancer.training import TrainConfig, evaluate_held_out, train
from campro_edge.enhancer.unet import UNet, UNetSpec
from campro_edge.errors import InputError
from campro_edge.ops.train import TrainCallbacks, TrainRequest, train_enhancer
from campro_edge.params import load_params

SPEC = UNetSpec(depth=2, base_channels=4)


def synthetic_pairs(n: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    """A learnable 'ISP': the capture is the scene darkened and channel-swapped."""
    rng = np.random.default_rng(0)
    pairs = []
    for _ in range(n):
        coarse = rng.integers(0, 256, (5, 5, 3), dtype=np.uint8)
        scene = np.kron(coarse, np.ones((8, 8, 1), dtype=np.uint8))  # smooth-ish blocks
        cap = (scene[:, :, ::-1].astype(np.float32) * 0.6).astype(np.uint8)
        pairs.append((cap, scene))
    return pairs


def test_training_reduces_the_loss() -> None:
    torch.manual_seed(0)
    net = UNet(SPEC)
    losses: list[float] = []
    cfg = TrainConfig(steps=60, batch=4, patch=16, lr=1e-2)
    train(net, synthetic_pairs(), cfg, on_step=lambda _s, loss: losses.append(loss))
    assert np.mean(losses[-10:]) < 0.8 * np.mean(losses[:5])


def test_resuming_gives_exactly_the_uninterrupted_result() -> None:
    cfg = TrainConfig(steps=6, batch=2, patch=16, lr=1e-2)
    pairs = synthetic_pairs()
    torch.manual_seed(0)
    straight = UNet(SPEC)
    resumed = UNet(SPEC)
    resumed.load_state_dict(straight.state_dict())
    train(straight, pairs, cfg)
    saved: dict[str, object] = {}
    half = TrainConfig(**{**cfg.model_dump(), "steps": 6})

    class Stop(Exception):
        pass

    def stop_at_3(step: int, _loss: float) -> None:
        if step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(
            resumed,
            pairs,
            half,
            on_step=stop_at_3,
            on_save=lambda step, opt: saved.update(step=step, opt=opt),
        )
    assert saved["step"] == 3
    train(resumed, pairs, cfg, start_step=3, optimizer_state=saved["opt"])  # type: ignore[arg-type]
    for k, v in straight.state_dict().items():
        assert torch.allclose(resumed.state_dict()[k], v, atol=1e-6), k


def test_held_out_report_scores_against_the_scene() -> None:
    pairs = synthetic_pairs(2)
    report = evaluate_held_out(UNet(SPEC), pairs)
    assert report is not None and report.images == 2
    assert 0 < report.captured.psnr_db < 40 and -1 <= report.captured.ssim <= 1


def test_split_is_deterministic_and_disjoint() -> None:
    paths = [Path(f"img_{i:02d}.png") for i in range(20)]
    train_a, held_a = split_held_out(paths, 0.2)
    train_b, held_b = split_held_out(list(reversed(paths)), 0.2)
    assert (train_a, held_a) == (train_b, held_b)
    assert len(held_a) == 4 and not set(train_a) & set(held_a)
    assert split_held_out(paths[:1], 0.5) == (paths[:1], [])


def test_crop_resize_keeps_aspect_by_cropping() -> None:
    img = np.zeros((100, 300, 3), dtype=np.uint8)
    img[:, 100:200] = 255  # the centre third
    out = crop_resize(img, 32, 32)
    assert out.shape == (32, 32, 3)
    assert out.min() == 255  # only the centre square survives the crop


def test_train_enhancer_on_real_images_and_resume(
    shared_scenes_dir: Path, example_params_path: Path, tmp_path: Path
) -> None:
    images = sorted(shared_scenes_dir.glob("COCO_*.jpg"))[:4]
    out = tmp_path / "enhancer.pt"
    req = TrainRequest(
        params=load_params(example_params_path),
        images=images,
        output=out,
        spec=SPEC,
        config=TrainConfig(steps=4, batch=2, patch=32),
        max_side=64,
        held_out_fraction=0.25,
    )
    messages: list[str] = []
    result = train_enhancer(req, TrainCallbacks(on_message=messages.append))
    assert result.train_images == 3 and result.held_out_images == 1
    assert result.held_out is not None and np.isfinite(result.held_out.enhanced.psnr_db)
    loaded = load_enhancer(out)
    assert loaded.isp_params == req.params.model_dump(mode="json")
    assert loaded.extra["progress"]["step"] == 4
    more = req.model_copy(update={"config": TrainConfig(steps=6, batch=2, patch=32)})
    train_enhancer(more, TrainCallbacks(on_message=messages.append))
    assert any("resuming" in m and "step 4 of 6" in m for m in messages)
    assert load_enhancer(out).extra["progress"]["step"] == 6
    other = req.model_copy(update={"spec": UNetSpec(depth=3, base_channels=4)})
    with pytest.raises(InputError, match="use --fresh"):
        train_enhancer(other)
