from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from campro_edge.errors import InputError
from campro_edge.params import IspParams, json_schema, load_params

GOOD = {"schema_version": 1, "ccm": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "gamma": [0, 0.5, 1]}


def write(tmp_path: Path, obj: object, name: str = "isp.json") -> Path:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return p


def test_good_file_loads(tmp_path: Path) -> None:
    p = load_params(write(tmp_path, GOOD))
    assert p.ccm_array().shape == (3, 3)
    assert p.gamma_array().tolist() == [0, 0.5, 1]


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.update(ccm=[[1, 0], [0, 1]]), "ccm"),
        (lambda d: d.update(ccm=[[1, 0, 0], [0, 1, 0]]), "ccm"),
        (lambda d: d["ccm"][0].__setitem__(0, 9.5), "ccm[0][0]"),
        (lambda d: d.update(gamma=[0.1]), "gamma"),
        (lambda d: d.update(gamma=[0, 1.5]), "gamma"),
        (lambda d: d.update(gamma=[0, -0.1]), "gamma"),
        (lambda d: d.update(schema_version=2), "schema_version"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.pop("ccm"), "ccm"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, mutate, needle: str) -> None:
    d = json.loads(json.dumps(GOOD))
    mutate(d)
    with pytest.raises(InputError) as exc:
        load_params(write(tmp_path, d))
    msg = str(exc.value)
    assert needle in msg and "\n" not in msg


def test_out_of_range_gives_allowed_range(tmp_path: Path) -> None:
    d = json.loads(json.dumps(GOOD))
    d["gamma"][1] = 1.5
    with pytest.raises(InputError, match=r"gamma\[1\].*\[0, 1\]"):
        load_params(write(tmp_path, d))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_inf_rejected(tmp_path: Path, literal: str) -> None:
    text = json.dumps(GOOD).replace("0.5", literal)
    with pytest.raises(InputError, match="finite"):
        load_params(write(tmp_path, text))


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "\x00\x01binary"])
def test_not_json(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError):
        load_params(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_params(tmp_path / "nope.json")


def test_schema_is_valid_json_schema_shape() -> None:
    s = json_schema()
    assert s["type"] == "object"
    assert {"ccm", "gamma"} <= set(s["required"])
    assert "metadata" in s["properties"]


def test_example_file_is_valid(example_params_path: Path) -> None:
    p = load_params(example_params_path)
    assert p.metadata.provenance


torch = pytest.importorskip("torch", reason="torch is an optional extra")


def campro_checkpoint(path: Path, ccm: np.ndarray, kp: np.ndarray) -> Path:
    from collections import OrderedDict

    state = OrderedDict(
        degamma=None,
        ccm={"ccm": torch.tensor(ccm, dtype=torch.float32)},
        gamma={"keypoints": torch.tensor(kp, dtype=torch.float32)},
    )
    torch.save(state, path)
    return path


def test_campro_checkpoint_loads(tmp_path: Path) -> None:
    ccm = np.eye(3) + 0.05
    kp = np.linspace(0, 1, 32) ** 0.45
    p = load_params(campro_checkpoint(tmp_path / "default.pt", ccm, kp))
    np.testing.assert_allclose(p.ccm_array(), ccm, atol=1e-6)
    np.testing.assert_allclose(p.gamma_array(), kp, atol=1e-6)
    assert isinstance(p, IspParams)


def test_checkpoint_wrong_shape(tmp_path: Path) -> None:
    path = campro_checkpoint(tmp_path / "bad.pt", np.eye(3), np.linspace(0, 1, 32))
    state = torch.load(path, weights_only=True)
    state["ccm"]["ccm"] = torch.eye(4)
    torch.save(state, path)
    with pytest.raises(InputError, match=r"ccm\.ccm.*\[3, 3\]"):
        load_params(path)


def test_truncated_checkpoint(tmp_path: Path) -> None:
    path = campro_checkpoint(tmp_path / "t.pt", np.eye(3), np.linspace(0, 1, 32))
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(InputError, match="not a readable CamPro checkpoint"):
        load_params(path)


def test_pickled_code_refused(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(print))
    with pytest.raises(InputError):
        load_params(path)
