"""Several ``encours`` processes started at the same moment on one new SQLite file (the web
server, a worker, a CLI command): one creates the schema, the others wait for it and find it
done, as PostgreSQL's advisory lock does there. Without the lock beside the file, all but one
failed on the tables created twice or on a locked database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import query

from encours.storage.database import get_engine

PROCESSES = 6
# each process imports everything, says it is ready, then waits for the signal: all migrate at once
STARTER = """
import os, pathlib, sys, time
from encours.cli.main import run
pathlib.Path(sys.argv[1]).touch()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.002)
sys.argv = ["encours", *sys.argv[3:]]
run()
"""


def test_processes_started_together_on_a_new_sqlite_file_all_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    go = tmp_path / "go"
    env = {**os.environ, "ENCOURS_DATA_DIR": str(tmp_path / "data")}
    started = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                STARTER,
                str(tmp_path / f"ready{n}"),
                str(go),
                "jobs",
                "list",
                "--format",
                "json",
                "--db",
                url,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(PROCESSES)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready*"))) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outcomes = [(p.wait(120), p.stderr.read().decode() if p.stderr else "") for p in started]
    assert [code for code, _ in outcomes] == [0] * PROCESSES, [err[-600:] for _, err in outcomes]
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    get_engine(alone)  # the schema one process alone makes
    versions = "SELECT version_num FROM alembic_version ORDER BY 1"
    assert query(url, versions) == query(alone, versions)
