"""Settings: every ENCOURS_* variable in one object, read when asked, bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.data_files import user_or_shipped
from encours.settings import InvalidSettings, Settings, get_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"ENCOURS_{name.upper()}", raising=False)


def test_defaults() -> None:
    settings = get_settings()
    assert settings.database_url == "sqlite:///encours.db"
    assert settings.data_dir == Path("./encours-data")
    assert (settings.smtp_url, settings.mail_from, settings.smtp_concurrency) == ("", None, None)
    assert settings.fec_customer_prefixes == ("411",)
    assert (settings.web_requests_in_flight, settings.web_foresight_max_entries) == (1, 300_000)
    assert (settings.cookies_secure, settings.log_level, settings.fault_after_sends) == (
        False,
        "warning",
        None,
    )


def test_each_call_sees_the_environment_as_it_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENCOURS_FEC_CUSTOMER_PREFIXES", " 411 , 416,")
    monkeypatch.setenv("ENCOURS_SECURE_COOKIES", "yes")
    monkeypatch.setenv("ENCOURS_SMTP_RATE", "0.5")
    monkeypatch.setenv("ENCOURS_MAIL_FROM", "")  # empty is unset
    settings = get_settings()
    assert settings.data_dir == tmp_path
    assert settings.fec_customer_prefixes == ("411", "416")
    assert settings.secure_cookies and settings.smtp_rate == 0.5 and settings.mail_from is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ENCOURS_SMTP_CONCURRENCY", "four"),
        ("ENCOURS_WEB_REQUESTS_IN_FLIGHT", "1.5"),
        ("ENCOURS_SECURE_COOKIES", "maybe"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidSettings, match=name):
        get_settings()


def test_the_cli_exits_2_on_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, cli: CliRunner, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENCOURS_SMTP_CONCURRENCY", "four")
    db = f"sqlite:///{tmp_path / 'e.db'}"
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-10-31", "--db", db)
    assert code == 2 and "ENCOURS_SMTP_CONCURRENCY" in err


def test_the_users_file_else_the_shipped_one(tmp_path: Path) -> None:
    shipped = user_or_shipped("kpi_thresholds.toml", tmp_path)
    assert shipped.shipped and shipped.source == "encours/data/kpi_thresholds.toml" and shipped.read_text()
    (tmp_path / "kpi_thresholds.toml").write_text("# mine\n", encoding="utf-8")
    mine = user_or_shipped("kpi_thresholds.toml", tmp_path)
    assert not mine.shipped and mine.source == str(tmp_path / "kpi_thresholds.toml")
    assert mine.read_text() == "# mine\n"
    assert user_or_shipped("kpi_thresholds.toml", None).shipped
