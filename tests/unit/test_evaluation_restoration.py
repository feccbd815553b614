"""The restoration attacker: it learns (loss falls) and restores whole images of any size."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch", reason="torch is not installed (pip install 'campro-edge[torch]')")

from campro_edge.evaluation.restoration import (  # noqa: E402
    RestorationConfig,
    restore,
    split_identities,
    train_restorer,
)


def test_split_is_disjoint_and_alternating():
    attack, evaluated = split_identities(["d", "a", "c", "b", "a"])
    assert attack == {"a", "c"} and evaluated == {"b", "d"}
    assert not attack & evaluated


def test_learns_to_undo_an_inversion_and_keeps_size():
    rng = np.random.default_rng(0)
    raws = [np.repeat(np.repeat(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), 8, 0), 8, 1)
            for _ in range(6)]
    pairs = [(255 - r, r) for r in raws]  # the "ISP" is a negative
    losses: list[float] = []
    net = train_restorer(pairs, RestorationConfig(steps=60, depth=3, base_channels=8, patch=32,
                                                  batch=4, lr=3e-3),
                         on_step=lambda _s, loss: losses.append(loss))
    assert np.mean(losses[-10:]) < 0.75 * np.mean(losses[:10])  # it learns
    out = restore(net, pairs[0][0][:45, :37])
    assert out.shape == (45, 37, 3) and out.dtype == np.uint8
