"""Host-side file writes that never leave a half-written file behind."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from campro_edge.errors import InputError


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write to a temporary file beside ``path`` and rename it into place."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"{p}: cannot write ({exc.strerror})") from None
    return p


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such {what}") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder, expected a {what}") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
