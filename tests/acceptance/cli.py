"""Running the real `encours` command in a subprocess, as a user's script would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

ENCOURS = Path(sys.executable).with_name("encours")


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


def encours(*args: str, cwd: Path, env: Mapping[str, str] | None = None, stdin: str = "") -> Run:
    """One `encours` process; no terminal, so no progress bar and deterministic bytes."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ENCOURS_")}
    environment.update(env or {})
    done = subprocess.run(
        [str(ENCOURS), *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def sqlite_db(folder: Path) -> str:
    return f"sqlite:///{folder / 'acceptance.db'}"
