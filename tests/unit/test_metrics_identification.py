"""Identification and verification metrics against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from campro_edge.evaluation.identification import identify, pairwise_distances, verification_roc


def _embeddings(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 128))


def test_identical_embeddings_give_full_identification():
    g = _embeddings(5)
    labels = ["a", "b", "c", "d", "e"]
    r = identify(g, labels, g.copy(), labels)
    assert r.top1 == 1.0
    assert r.n_embedded == 5
    assert r.predictions == labels


def test_swapped_probes_give_zero():
    g = _embeddings(3)
    r = identify(g, ["a", "b", "c"], g[[1, 2, 0]], ["a", "b", "c"])
    assert r.top1 == 0.0


def test_missing_probe_counts_as_miss():
    g = _embeddings(4)
    probes = g.copy()
    probes[1] = np.nan  # no face found
    r = identify(g, list("abcd"), probes, list("abcd"))
    assert r.top1 == pytest.approx(3 / 4)
    assert r.top1_detected == 1.0
    assert r.predictions[1] is None


def test_nearest_neighbour_hand_case():
    g = np.array([[0.0, 0.0], [10.0, 0.0]])
    p = np.array([[1.0, 0.0], [6.0, 0.0], [4.9, 0.0]])
    r = identify(g, ["x", "y"], p, ["x", "x", "x"])
    assert r.predictions == ["x", "y", "x"]
    assert r.top1 == pytest.approx(2 / 3)


def test_pairwise_distances():
    d = pairwise_distances(np.array([[3.0, 4.0]]), np.array([[0.0, 0.0], [3.0, 4.0]]))
    assert d == pytest.approx(np.array([[5.0, 0.0]]))


def test_roc_perfect_separation():
    g = np.array([[0.0, 0.0], [10.0, 0.0]])
    p = np.array([[0.1, 0.0], [10.1, 0.0]])
    roc = verification_roc(g, ["a", "b"], p, ["a", "b"])
    assert roc.n_genuine == 2 and roc.n_impostor == 2
    assert roc.tar_at_far(0.0) == 1.0
    assert roc.auc() == pytest.approx(1.0)


def test_roc_hand_case_and_missing_probes_never_accept():
    # genuine distances 1 and 3, impostor distances 2 and 4 (1-D embeddings)
    g = np.array([[0.0], [100.0]])
    p = np.array([[1.0], [97.0], [np.nan]])
    roc = verification_roc(g, ["a", "b"], p, ["a", "b", "b"])
    # genuine: 1, 3, (nan); impostor: 99, 97, (nan)
    assert roc.n_genuine == 3 and roc.n_impostor == 3
    assert roc.tar_at_far(0.0) == pytest.approx(2 / 3)
    assert roc.tar.max() == pytest.approx(2 / 3)  # the missing probe never verifies
    assert roc.far.max() == pytest.approx(2 / 3)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        identify(_embeddings(2), ["a"], _embeddings(2), ["a", "b"])
