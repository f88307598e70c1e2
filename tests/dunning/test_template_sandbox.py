"""Templates are never trusted (SPEC §8): rendered in a sandbox, checked before a run sends anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError
from tests.conftest import DEMO_UNTIL, SmtpServer, invoke
from tests.dunning.test_failed_deliveries import actions, ledger
from typer.testing import CliRunner

from encours.dunning.documents import render_email
from encours.dunning.service import load_config, run
from encours.dunning.template_check import check_templates
from encours.settings import get_settings
from encours.storage.database import get_engine

PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}"


def drop(data: Path, name: str, text: str) -> Path:
    path = data / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_template_renders_against_the_sample_contexts(tmp_path: Path) -> None:
    assert check_templates(tmp_path) == []


def test_a_bad_file_in_the_data_dir_refuses_the_run_before_anything_is_sent(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    payload = "Subject: x\n\n" + PAYLOAD.replace("MARKER", str(marker))
    bad = drop(dunning_env, "fr/email/firm_reminder.txt", payload)
    broken = drop(dunning_env, "en/letters/formal_notice.html", "<p>{{ grand_totl }}</p>\n")
    as_of = DEMO_UNTIL.isoformat()
    code, _, err = invoke(cli, "dunning", "run", "--as-of", as_of, "--db", demo_db)
    assert code == 2
    assert f"{bad}:3: refused by the template sandbox" in err
    assert f"{broken}:1: does not render: 'grand_totl' is undefined" in err
    assert smtp_server.received == [] and not marker.exists()
    assert actions(cli, demo_db) == []  # nothing decided either
    code, _, err = invoke(cli, "dunning", "run", "--as-of", as_of, "--dry-run", "--db", demo_db)
    assert code == 2 and str(bad) in err
    bad.unlink()
    broken.unlink()
    code, _, err = invoke(cli, "dunning", "run", "--as-of", DEMO_UNTIL.isoformat(), "--db", demo_db)
    assert code == 0, err
    assert smtp_server.received and not marker.exists()


def test_the_sandbox_holds_even_for_a_file_no_check_has_seen(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    drop(tmp_path, "fr/email/custom.txt", "Subject: x\n\n" + PAYLOAD.replace("MARKER", str(marker)))
    with pytest.raises(SecurityError):
        render_email("custom", "fr", {}, tmp_path)
    assert not marker.exists()


def test_a_template_failing_during_a_run_fails_its_actions_with_the_reason_and_the_run_goes_on(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    ledger(sqlite_url, calm_email="compta@calm.test")
    config = load_config(get_settings())  # checked while the folder was clean
    # a branch the sample contexts do not take: only the English reminder breaks
    drop(dunning_env, "en/email/reminder.txt", "Subject: x\n\n{{ customer.registry }}\n")
    result = run(get_engine(sqlite_url), config, DEMO_UNTIL.replace(month=9, day=10), None)
    problems = [(p.customer_id, p.status) for p in result.delivery.problems]
    assert problems == [("BOLT", "failed")]
    assert "template error" in result.delivery.problems[0].reason
    assert result.delivery.files == 2  # the others were delivered (written as .eml, no SMTP here)
