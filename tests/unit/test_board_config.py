"""Board descriptions: every shipped one validates; bad ones give one-line InputErrors."""

from __future__ import annotations

from pathlib import Path

import pytest

from campro_edge.board.config import (
    available_boards,
    default_board_name,
    load_board,
)
from campro_edge.board.session import resolve_target
from campro_edge.errors import InputError


def test_shipped_boards_validate_and_differ_only_in_data() -> None:
    names = available_boards()
    assert {"rv1126", "sim-rv1126"} <= set(names)
    real, sim = load_board("rv1126"), load_board("sim-rv1126")
    assert real.arch == sim.arch == "armv7l" and real.npu_target == sim.npu_target
    assert set(real.compatible) <= set(sim.compatible)
    assert real.iq == sim.iq and real.service.start == sim.service.start
    assert real.console.baud == sim.console.baud == 1500000
    for n in names:
        assert load_board(n).name == n


def test_unknown_board_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown board 'nope'"):
        load_board("nope")
    bad = tmp_path / "b.toml"
    bad.write_text(
        'name="x"\nsoc="rv1126"\narch="armv7l"\ncompatible=[]\nnpu_target="rv1126"\n'
        '[sensor]\nname="imx415"\n'
    )
    with pytest.raises(InputError, match="compatible"):
        load_board(str(bad))
    bad.write_text(
        'name="x"\nsoc="rv1126"\narch="armv7l"\ncompatible=["a"]\nnpu_target="r"\n'
        '[sensor]\nname="imx415"\n[iq]\ndir="etc/iqfiles"\n'
    )
    with pytest.raises(InputError, match="absolute"):
        load_board(str(bad))
    bad.write_text(
        'name="x"\nsoc="rv1126"\narch="armv7l"\ncompatible=["a"]\nnpu_target="r"\n'
        '[sensor]\nname="imx415"\nbogus=1\n'
    )
    with pytest.raises(InputError, match="bogus"):
        load_board(str(bad))
    bad.write_text("not toml [")
    with pytest.raises(InputError, match="cannot read"):
        load_board(str(bad))


def test_default_target_is_the_simulated_board(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOARD", raising=False)
    monkeypatch.delenv("BOARD_HOST", raising=False)
    assert default_board_name(False) == "sim-rv1126"
    assert default_board_name(True) == "rv1126"
    sim = load_board("sim-rv1126")
    t = resolve_target(sim, None)
    assert (t.host, t.port, t.user) == ("127.0.0.1", 2222, "root")
    t = resolve_target(load_board("rv1126"), "admin@10.0.0.5:2200")
    assert (t.host, t.port, t.user) == ("10.0.0.5", 2200, "admin")
    monkeypatch.setenv("BOARD_HOST", "192.168.1.7")
    assert resolve_target(load_board("rv1126"), None).host == "192.168.1.7"


def test_push_refuses_json_iq_boards_before_connecting(tmp_path: Path) -> None:
    from campro_edge.ops.push import PushOptions, push_iq

    if "rv1126b" not in available_boards():
        pytest.skip("no rv1126b description")
    params = Path(__file__).resolve().parents[2] / "examples" / "isp.json"
    with pytest.raises(InputError, match="rkaiq-json"):
        push_iq(PushOptions(params=params, board="rv1126b", host="127.0.0.1:1"))
