"""User-facing errors. Every message is one line; the CLI prints it and exits with `exit_code`."""

from __future__ import annotations


class CamproError(Exception):
    """An error the user can act on. Never shown as a traceback."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class InputError(CamproError):
    """Bad user input: parameter files, images, IQ files, arguments."""

    exit_code = 2


class IqError(InputError):
    """An IQ file that Rockchip's parser would reject (or that we cannot read)."""


class BoardError(CamproError):
    """The board is unreachable, not what its description says, or refused an operation."""

    exit_code = 3


class ToolchainError(CamproError):
    """The rknn-toolkit2 toolchain is missing or failed."""

    exit_code = 4


class VerificationFailed(CamproError):
    """A measured check did not meet its threshold."""

    exit_code = 5
