"""One `encours` command in a subprocess, measured: what the user waits for, from start to exit."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple


class ChildRun(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds of the process, user + system
    peak_rss_mib: float
    stdout: str


def encours_command() -> list[str]:
    script = Path(sys.executable).with_name("encours")
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from encours.cli.main import run; run()"]
    )


def run_encours(args: list[str]) -> ChildRun:
    """Run ``encours *args``, reaped with ``os.wait4`` for its own CPU time and peak memory."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([*encours_command(), *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            command = " ".join(args)
            raise RuntimeError(f"encours {command} failed ({process.returncode}): {err.read()[-2000:]}")
        return ChildRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read())
