"""What a simulated board is (SimSpec) and where its files live on the host (BoardPaths)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_NAME = "sim"


def sim_home() -> Path:
    """Directory holding every simulated board (`$CAMPRO_SIM_HOME`, default
    `$XDG_DATA_HOME/campro-edge-sim`, i.e. `~/.local/share/campro-edge-sim`).

    Per user, not per checkout: a board keeps its host key (and its storage) across clones
    and `make clean`, as a real board does, so the host-key check never trips over a
    simulated board that was merely rebuilt.
    """
    env = os.environ.get("CAMPRO_SIM_HOME")
    if env:
        return Path(env).resolve()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "campro-edge-sim"


class SimSpec(BaseModel):
    """Everything needed to build and boot one simulated board."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(DEFAULT_NAME, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
    board: str = "sim-rv1126"  # board description the simulated hardware follows
    port: int = Field(2222, ge=1, le=65535)  # public SSH port (fault-injecting proxy)
    internal_port: int = 0  # Dropbear's own port (chosen at `up`)
    # Hardware facts (defaults from the board description; overridable to make a "wrong" board).
    arch: str | None = None
    compatible: list[str] | None = None
    hostname: str = "RV1126"
    rw_root: bool = False  # False: read-only root (squashfs-like), True: writable root
    oem_kib: int = Field(2048, ge=256)
    userdata_kib: int = Field(8192, ge=512)
    module_name: str = "CPSIM01"
    lens_name: str = "SIM-8M-F20"
    i2c_node: str = "i2c@ff510000"
    sensor_addr: str = "1a"


class BoardPaths:
    """Host-side files of one simulated board."""

    def __init__(self, name: str, home: Path | None = None) -> None:
        self.name = name
        self.dir = (home or sim_home()) / name

    @property
    def spec_file(self) -> Path:
        return self.dir / "spec.json"

    @property
    def rootfs(self) -> Path:
        return self.dir / "rootfs"

    @property
    def etc(self) -> Path:  # passwd/shadow/shells bind-mounted for Dropbear
        return self.dir / "etc"

    @property
    def login_shell(self) -> Path:
        return self.dir / "login-shell"

    @property
    def hostkey(self) -> Path:
        return self.dir / "hostkey_ed25519"

    @property
    def control(self) -> Path:  # fault knobs, scene; visible on the board as /.sim
        return self.dir / "control"

    @property
    def storage(self) -> Path:  # tmpfs mount points (supervisor namespace) for /oem, /userdata
        return self.dir / "storage"

    @property
    def persist(self) -> Path:  # storage saved across `down`/`up`
        return self.dir / "persist"

    @property
    def logs(self) -> Path:
        return self.dir / "logs"

    @property
    def run(self) -> Path:  # supervisor state
        return self.dir / "run"

    @property
    def state_file(self) -> Path:
        return self.run / "state.json"

    def read_spec(self) -> SimSpec:
        return SimSpec.model_validate_json(self.spec_file.read_text())

    def write_spec(self, spec: SimSpec) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.spec_file.write_text(spec.model_dump_json(indent=2))

    def read_state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
