"""Closed-set identification (top-1) and verification (ROC, TAR@FAR) on face embeddings.

Embeddings are rows of a float array; a row of NaN means "no face found in this probe".
Choice (documented in docs/evaluation.md): such a probe counts as a *miss* for identification
and as rejected in every verification pair (its genuine pair never verifies, its impostor
pairs never falsely accept). Detection rates are reported separately so the two effects can
be told apart. Distances are Euclidean (dlib's ResNet is trained for that metric; its
same-person threshold is 0.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IdentificationResult:
    top1: float  # correct / all probes (undetected probes are misses)
    top1_detected: float  # correct / probes with an embedding (nan if none)
    n_probes: int
    n_embedded: int
    predictions: list[str | None]


def _valid_rows(emb: np.ndarray) -> np.ndarray:
    return ~np.isnan(emb).any(axis=1)


def pairwise_distances(probes: np.ndarray, gallery: np.ndarray) -> np.ndarray:
    """Euclidean distance matrix (n_probes, n_gallery); NaN rows give NaN rows."""
    p = np.asarray(probes, dtype=np.float64)
    g = np.asarray(gallery, dtype=np.float64)
    d2 = (p * p).sum(1)[:, None] + (g * g).sum(1)[None, :] - 2.0 * p @ g.T
    return np.sqrt(np.maximum(d2, 0.0))


def identify(
    gallery_emb: np.ndarray,
    gallery_labels: Sequence[str],
    probe_emb: np.ndarray,
    probe_labels: Sequence[str],
) -> IdentificationResult:
    """Nearest-neighbour rank-1 identification of each probe against the gallery."""
    gallery_emb = np.asarray(gallery_emb, dtype=np.float64)
    probe_emb = np.asarray(probe_emb, dtype=np.float64)
    if len(gallery_labels) != len(gallery_emb) or len(probe_labels) != len(probe_emb):
        raise ValueError("labels and embeddings differ in length")
    gvalid = _valid_rows(gallery_emb)
    glabels = [lab for lab, ok in zip(gallery_labels, gvalid, strict=True) if ok]
    g = gallery_emb[gvalid]
    pvalid = _valid_rows(probe_emb)
    preds: list[str | None] = [None] * len(probe_labels)
    if len(g) and pvalid.any():
        nearest = pairwise_distances(probe_emb[pvalid], g).argmin(axis=1)
        for i, j in zip(np.flatnonzero(pvalid), nearest, strict=True):
            preds[i] = glabels[j]
    correct = sum(1 for p, t in zip(preds, probe_labels, strict=True) if p is not None and p == t)
    n = len(probe_labels)
    n_emb = int(pvalid.sum())
    return IdentificationResult(
        top1=correct / n if n else float("nan"),
        top1_detected=correct / n_emb if n_emb else float("nan"),
        n_probes=n,
        n_embedded=n_emb,
        predictions=preds,
    )


@dataclass(frozen=True)
class RocCurve:
    far: np.ndarray  # false accept rate, increasing
    tar: np.ndarray  # true accept rate at the same thresholds
    thresholds: np.ndarray  # distance thresholds (accept when distance <= t)
    n_genuine: int
    n_impostor: int

    def tar_at_far(self, far: float) -> float:
        """Highest TAR reachable with FAR <= `far`."""
        ok = self.far <= far + 1e-12
        return float(self.tar[ok].max()) if ok.any() else 0.0

    def auc(self) -> float:
        x = np.concatenate([self.far, [1.0]])
        y = np.concatenate([self.tar, [self.tar[-1] if len(self.tar) else 0.0]])
        return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def verification_roc(
    gallery_emb: np.ndarray,
    gallery_labels: Sequence[str],
    probe_emb: np.ndarray,
    probe_labels: Sequence[str],
) -> RocCurve:
    """ROC over all (probe, gallery) pairs: genuine when the identities match.

    Pairs with a missing embedding on either side are never accepted (they stay in the
    denominators), so a recogniser that finds no face cannot look good.
    """
    d = pairwise_distances(np.asarray(probe_emb), np.asarray(gallery_emb))
    same = np.asarray(probe_labels)[:, None] == np.asarray(gallery_labels)[None, :]
    d = np.where(np.isnan(d), np.inf, d)
    gen, imp = d[same], d[~same]
    n_gen, n_imp = gen.size, imp.size
    finite = np.concatenate([gen[np.isfinite(gen)], imp[np.isfinite(imp)]])
    thresholds = np.unique(finite)
    gen_sorted, imp_sorted = np.sort(gen), np.sort(imp)
    tar = np.searchsorted(gen_sorted, thresholds, side="right") / max(n_gen, 1)
    far = np.searchsorted(imp_sorted, thresholds, side="right") / max(n_imp, 1)
    far = np.concatenate([[0.0], far])
    tar = np.concatenate([[0.0], tar])
    thresholds = np.concatenate([[-np.inf], thresholds])
    return RocCurve(far, tar, thresholds, n_gen, n_imp)
