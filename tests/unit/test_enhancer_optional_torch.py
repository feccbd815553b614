"""torch is an optional extra: the CLI still starts without it, and the enhancer commands say so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NO_TORCH = "import sys; sys.modules['torch'] = None\nfrom campro_edge.cli import main\n"


def run_without_torch(args: list[str]) -> subprocess.CompletedProcess[str]:
    code = NO_TORCH + f"sys.exit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_cli_help_works_without_torch() -> None:
    proc = run_without_torch(["--help"])
    assert proc.returncode == 0, proc.stderr
    assert "train-enhancer" in proc.stdout and "compile-enhancer" in proc.stdout


def test_train_enhancer_without_torch_says_what_to_install(tmp_path: Path) -> None:
    proc = run_without_torch(
        [
            "train-enhancer",
            "examples/isp.json",
            "--images",
            str(tmp_path),
            "-o",
            str(tmp_path / "e.pt"),
        ]
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "error: train-enhancer needs torch: install the extra with "
        "`pip install 'campro-edge[torch]'`"
    )
