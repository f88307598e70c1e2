"""Exit codes of SPEC §1: 2 for bad usage (message on stderr), 1 for an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.acceptance.cli import encours


@pytest.mark.parametrize("url", ["nonsense", "foo://host/db"])
def test_a_database_url_that_cannot_be_parsed_is_bad_usage(tmp_path: Path, url: str) -> None:
    run = encours("aging", "--as-of", "2024-01-31", "--db", url, cwd=tmp_path)
    assert run.code == 2
    assert "--db" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_unreachable_database_is_an_internal_error(tmp_path: Path) -> None:
    run = encours("aging", "--as-of", "2024-01-31", "--db", "sqlite:////nonexistent/dir/x.db", cwd=tmp_path)
    assert run.code == 1
    assert "Traceback" not in run.stderr
