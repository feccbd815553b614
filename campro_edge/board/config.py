"""Board descriptions: validated data (TOML in `board_configs/`), never code.

A real board and its simulated twin differ only in the values of these files; every code path
that talks to a board reads what it needs from here.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from campro_edge.errors import InputError

DEFAULT_SIM_BOARD = "sim-rv1126"
DEFAULT_REAL_BOARD = "rv1126"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SshDefaults(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(22, ge=1, le=65535)
    user: str = "root"
    default_password: str = "rockchip"
    connect_timeout_s: float = Field(10.0, gt=0)
    command_timeout_s: float = Field(60.0, gt=0)
    retries: int = Field(3, ge=1, le=10)
    backoff_s: float = Field(0.5, ge=0)


class SensorSpec(_Strict):
    name: str  # driver name, e.g. "imx415"
    # Device-tree directories (globs) that hold the camera-module properties
    # `rockchip,camera-module-name` / `rockchip,camera-module-lens-name`.
    dt_globs: list[str] = [
        "/proc/device-tree/i2c@*/*@*",
        "/sys/firmware/devicetree/base/i2c@*/*@*",
    ]
    max_width: int = 3840
    max_height: int = 2160


class IqSpec(_Strict):
    format: Literal["rkaiq-xml-v1", "rkaiq-json"] = "rkaiq-xml-v1"
    # Where the ISP service reads IQ files (rkaiq's IQ_PATH or the app's -a directory).
    dir: str = "/etc/iqfiles"
    # How the ISP picks the file: "<sensor>_<module>_<lens>.xml" from the device tree.
    name_rule: Literal["dt-module"] = "dt-module"
    # How we make the ISP read our file: write in place when the directory is writable, else an
    # overlay directory on a writable partition bind-mounted over `dir`.
    install: Literal["auto", "in-place", "overlay"] = "auto"
    # Board-side state: pristine stock copy, backups, staged uploads, board scripts.
    state_dir: str = "/userdata/campro"
    # A boot script on a writable partition that init runs; we add one line that calls our hook.
    boot_hook: str = "/oem/usr/bin/RkLunch.sh"


class ServiceSpec(_Strict):
    name: str = "rkaiq_3A_server"  # process name, used for the running check
    start: str = "/etc/init.d/S40rkaiq_3A start"
    stop: str = "/etc/init.d/S40rkaiq_3A stop"
    status: str = "pidof rkaiq_3A_server"
    settle_s: float = Field(1.0, ge=0)  # wait after start before checking


class CaptureSpec(_Strict):
    node_name: str = "rkispp_scale0"  # /sys/class/video4linux/video*/name
    # Where an uploaded image becomes what the camera sees. Only a simulated board has one;
    # a real camera films the world (verify then shows images on a monitor, or reads frames).
    scene_path: str | None = None
    width: int = 1920
    height: int = 1080
    skip: int = Field(30, ge=0)
    command: str = (
        "v4l2-ctl -d {device} --set-fmt-video=width={width},height={height},pixelformat=NV12"
        " --stream-mmap=3 --stream-skip={skip} --stream-count=1 --stream-to={path}"
    )


class HealthSpec(_Strict):
    # Mean absolute difference (8-bit RGB) allowed between the captured frame and the hardware
    # model's prediction from the previous frame.
    max_mean_abs_err: float = Field(10.0, gt=0)


class ConsoleSpec(_Strict):
    device: str = "/dev/ttyUSB0"  # USB-UART adapter on the debug UART (ttyFIQ0 on the board)
    baud: int = Field(1500000, gt=0)
    user: str = "root"
    password: str = "rockchip"
    login_prompt: str = "login: "
    shell_prompt: str = r"[#$] $"  # regex matched at the end of the output
    interface: str = "eth0"


class BoardConfig(_Strict):
    name: str
    description: str = ""
    soc: str
    arch: str  # `uname -m`
    compatible: list[str] = Field(min_length=1)  # all must be in the DT compatible list
    npu_target: str
    simulated: bool = False  # informational only; no code path depends on it
    ssh: SshDefaults = SshDefaults()
    sensor: SensorSpec
    iq: IqSpec = IqSpec()
    service: ServiceSpec = ServiceSpec()
    capture: CaptureSpec = CaptureSpec()
    health: HealthSpec = HealthSpec()
    console: ConsoleSpec = ConsoleSpec()

    @field_validator("iq")
    @classmethod
    def _abs_paths(cls, v: IqSpec) -> IqSpec:
        for p in (v.dir, v.state_dir, v.boot_hook):
            if not p.startswith("/") or "'" in p or " " in p:
                raise ValueError(f"board path {p!r} must be absolute, without spaces or quotes")
        return v


def config_dirs() -> list[Path]:
    dirs: list[Path] = []
    env = os.environ.get("CAMPRO_EDGE_BOARDS")
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs.append(Path(__file__).resolve().parents[2] / "board_configs")
    return dirs


def available_boards() -> list[str]:
    names: set[str] = set()
    for d in config_dirs():
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    return sorted(names)


def load_board(name_or_path: str) -> BoardConfig:
    """Load a board description by name (`rv1126`, `sim-rv1126`) or from a .toml path."""
    path = Path(name_or_path)
    if path.suffix != ".toml" or not path.is_file():
        path = next(
            (
                d / f"{name_or_path}.toml"
                for d in config_dirs()
                if (d / f"{name_or_path}.toml").is_file()
            ),
            Path(),
        )
        if not path.name:
            known = ", ".join(available_boards()) or "none"
            raise InputError(f"unknown board {name_or_path!r} (known: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read board description {path}: {exc}") from exc
    try:
        return BoardConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputError(f"board description {path}: {loc}: {first['msg']}") from exc


def default_board_name(host_given: bool) -> str:
    env = os.environ.get("BOARD")
    if env:
        return env
    return DEFAULT_REAL_BOARD if host_given else DEFAULT_SIM_BOARD
