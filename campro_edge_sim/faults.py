"""Fault knobs of a simulated board, set from the host side (never by the product).

They live as small files in the board's control directory so that the TCP proxy (Python), the
login shell (POSIX sh) and the rkaiq emulation (inside the board, as /.sim) can all read them.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class LinkFaults(BaseModel):
    """Read by the proxy for every new connection."""

    model_config = ConfigDict(extra="forbid")

    # Drop (reset) the next `drop_connections` connections once the client has sent this many
    # bytes (an upload cut in the middle).
    drop_after_bytes: int | None = Field(None, ge=0)
    drop_connections: int = Field(0, ge=0)
    rate_bytes_per_s: int | None = Field(None, gt=0)  # slow link, both directions
    latency_ms: int = Field(0, ge=0)  # added per forwarded chunk
    refuse: bool = False  # board unreachable (connections closed at once)


def read_link(control: Path) -> LinkFaults:
    try:
        return LinkFaults.model_validate_json((control / "link.json").read_text())
    except (OSError, ValueError):
        return LinkFaults()


def write_link(control: Path, faults: LinkFaults) -> None:
    tmp = control / ".link.json.tmp"
    tmp.write_text(faults.model_dump_json())
    tmp.replace(control / "link.json")


def consume_drop(control: Path) -> bool:
    """Use up one planned connection drop; True if this connection is to be dropped."""
    f = read_link(control)
    if f.drop_after_bytes is None or f.drop_connections <= 0:
        return False
    write_link(control, f.model_copy(update={"drop_connections": f.drop_connections - 1}))
    return True


def set_power_loss(control: Path, after_commands: int, delay_s: float = 0.0) -> None:
    """Cut the power when the board has started `after_commands` more SSH commands."""
    (control / "cmd_count").write_text("0\n")
    (control / "power_loss_delay").write_text(f"{delay_s:g}\n")
    (control / "power_loss_at").write_text(f"{after_commands}\n")


def clear_power_loss(control: Path) -> None:
    for n in ("power_loss_at", "power_loss_delay", "cmd_count"):
        (control / n).unlink(missing_ok=True)


def command_count(control: Path) -> int:
    try:
        return int((control / "cmd_count").read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def set_rkaiq_fail_starts(control: Path, count: int) -> None:
    """The next `count` starts of rkaiq_3A_server fail (-1: every start)."""
    (control / "rkaiq_fail_starts").write_text(f"{count}\n")


def clear_all(control: Path) -> None:
    clear_power_loss(control)
    for n in ("link.json", "rkaiq_fail_starts"):
        (control / n).unlink(missing_ok=True)


def describe(control: Path) -> dict:
    out: dict = {"link": read_link(control).model_dump(exclude_defaults=True)}
    for n in ("power_loss_at", "rkaiq_fail_starts"):
        p = control / n
        if p.exists():
            out[n] = p.read_text().strip()
    return json.loads(json.dumps(out))
