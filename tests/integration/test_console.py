"""Serial console (pyserial) against the simulated board's console on a pseudo-terminal."""

from __future__ import annotations

import pytest

from campro_edge.board.config import load_board
from campro_edge.board.console import SerialConsole
from campro_edge.errors import BoardError
from campro_edge_sim import control
from campro_edge_sim.console import ConsoleServer

pytestmark = pytest.mark.hil


def test_console_login_run_bootlog_network(make_board) -> None:
    b = make_board()
    server = ConsoleServer(b.paths).start()
    spec = load_board("sim-rv1126").console
    try:
        with SerialConsole(spec, server.device) as con:
            assert con.ser.baudrate == 1500000
            con.login()
            assert con.run("uname -m") == (0, "armv7l")
            rc, out = con.run("cat /nonexistent")
            assert rc == 1 and "No such file" in out
            assert "Booting Linux" in con.boot_log()
            shown = con.network_up("192.168.1.100/24", "192.168.1.1")
            assert "inet addr:192.168.1.100  Mask:255.255.255.0" in shown
            assert "default gw 192.168.1.1" in con.run("route -n")[1]
            # a reboot shows its boot log on the console and asks for a login again
            control.power_cycle(b.paths)
            text = con.read_for(1.0)
            assert "Booting Linux" in text and "login:" in text
            con.login()
            assert con.run("cat /run/sim-net/eth0.ip 2>/dev/null; echo x")[1] == "x"
            con.send("exit\r")
        wrong = spec.model_copy(update={"password": "nope"})
        with SerialConsole(wrong, server.device) as con, pytest.raises(BoardError, match="refused"):
            con.login(timeout=5)
    finally:
        server.stop()


def test_missing_serial_device_is_one_line_error() -> None:
    spec = load_board("sim-rv1126").console
    with pytest.raises(BoardError, match="cannot open serial console"):
        SerialConsole(spec, "/dev/does-not-exist")
