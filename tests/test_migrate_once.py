"""Processes started together on a new PostgreSQL database migrate it once, and all start.

A deployment starts N web processes and M workers at the same time after an install or an
upgrade; each upgrades the schema on first use (SPEC §1). They must not trip over each other.
"""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import create_engine, inspect
from tests.conftest import fresh_postgres_database
from tests.web.conftest import encours_command

from encours.schema import Base

pytestmark = pytest.mark.postgres
TOGETHER = 4


def test_processes_started_together_on_a_new_database_all_start_and_migrate_it_once() -> None:
    with fresh_postgres_database() as url:
        started = [
            subprocess.Popen([*encours_command(), "jobs", "list", "--format", "json", "--db", url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(TOGETHER)
        ]  # fmt: skip
        outcomes = [(process.wait(180), process.communicate()) for process in started]
        assert [(code, out.strip()) for code, (out, _) in outcomes] == [(0, "[]")] * TOGETHER, outcomes
        engine = create_engine(url)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
        assert set(Base.metadata.tables) <= tables  # the whole schema, the queue's tables too
        assert {"procrastinate_jobs", "procrastinate_workers"} <= tables
