"""The dlib face recogniser on real LFW images (skips without ../shared/data or dlib)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("dlib", reason="dlib-bin is not installed (pip install 'campro-edge[eval]')")

from campro_edge.evaluation.datasets import list_faces, read_rgb  # noqa: E402
from campro_edge.evaluation.face import FaceRecognizer, embed_many, models_dir  # noqa: E402
from campro_edge.evaluation.identification import identify  # noqa: E402


@pytest.fixture(scope="module")
def recogniser() -> FaceRecognizer:
    return FaceRecognizer()


def test_models_are_found_without_pkg_resources():
    d = models_dir()
    assert (d / "shape_predictor_5_face_landmarks.dat").is_file()
    assert (d / "dlib_face_recognition_resnet_model_v1.dat").is_file()


def test_same_image_same_embedding_and_identification(shared_faces_dir, recogniser):
    items = list_faces(shared_faces_dir, max_identities=4, max_probes_per_identity=2)
    gallery = [i for i in items if i.is_gallery]
    probes = [i for i in items if not i.is_gallery]
    g = np.stack([recogniser.embed(read_rgb(i.path)).embedding for i in gallery])
    again = np.stack([recogniser.embed(read_rgb(i.path)).embedding for i in gallery])
    assert np.array_equal(g, again)  # deterministic
    labels = [i.identity for i in gallery]
    assert identify(g, labels, again, labels).top1 == 1.0
    # real probes of the same people: dlib should get nearly all of them
    res = embed_many([read_rgb(i.path) for i in probes], workers=2)
    assert all(r.detected for r in res)
    p = np.stack([r.embedding for r in res])
    assert identify(g, labels, p, [i.identity for i in probes]).top1 >= 0.75


def test_blank_image_has_no_face_but_fallback_box_embeds(recogniser):
    blank = np.full((250, 250, 3), 128, np.uint8)
    r = recogniser.embed(blank)
    assert not r.detected and r.embedding is None
    r2 = recogniser.embed(blank, fallback_box=(70, 70, 180, 180))
    assert not r2.detected and r2.embedding is not None and r2.embedding.shape == (128,)


def test_rejects_non_rgb(recogniser):
    from campro_edge.errors import InputError

    with pytest.raises(InputError):
        recogniser.embed(np.zeros((10, 10), np.uint8))
