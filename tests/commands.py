"""Run the ``claimwatch`` command as users do: a real process, its output captured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def claimwatch(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimwatch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )


def piped_env() -> dict[str, str]:
    """The environment without ``COLUMNS``: output width falls back as it does in a pipe."""
    return {k: v for k, v in os.environ.items() if k != "COLUMNS"}
