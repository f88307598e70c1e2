"""The command line tells every refusal the same way: on stderr, then exit code 2 (SPEC §1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.cli.context import report
from encours.domain.errors import InvalidLines, LedgerError


def test_a_refusal_from_a_service_exits_2_naming_the_field(cli: CliRunner, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    code, _, err = invoke(cli, "note", "add", "NOPE", "called", "--by", "ana", "--db", db)
    assert code == 2
    assert err == "error: customer: unknown customer 'NOPE'\n"


def test_line_errors_are_listed_up_to_50_then_what_they_mean(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [LedgerError("big.csv", n, "amount", "not an amount") for n in range(2, 62)]
    report(InvalidLines("big.csv: nothing imported", lines))
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: big.csv:2 [amount]: not an amount"
    assert err[50:] == ["... and 10 more errors", "big.csv: nothing imported"]
