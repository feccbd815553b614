"""Shared fixtures: where the real test data lives (../shared/data), skipping clearly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    env = os.environ.get("CAMPRO_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _need(sub: str) -> Path:
    p = shared_data_dir() / sub
    if not p.exists():
        pytest.skip(
            f"test data {p} is absent (it lives outside the repository in ../shared/data; "
            "set CAMPRO_SHARED_DATA to its location)"
        )
    return p


@pytest.fixture(scope="session")
def shared_iq_dir() -> Path:
    return _need("iq/rkaiq-v1-xml")


@pytest.fixture(scope="session")
def shared_faces_dir() -> Path:
    return _need("faces/lfw-dev")


@pytest.fixture(scope="session")
def shared_scenes_dir() -> Path:
    return _need("scenes")


@pytest.fixture(scope="session")
def stock_imx415(shared_iq_dir: Path) -> bytes:
    return (shared_iq_dir / "imx415_YT10092_IR0147-36IRC-8M-F20.xml").read_bytes()


@pytest.fixture(scope="session")
def example_params_path() -> Path:
    return REPO / "examples" / "isp.json"
