"""Settings screens write the files the CLI reads: company, thresholds, scenarios, SMTP, pay link."""

from __future__ import annotations

import datetime as dt
import re
import tomllib

from tests.conftest import SmtpServer
from tests.web.admin.conftest import AdminApp, sign_in

from encours.analytics.kpi import load_thresholds
from encours.audit.service import AuditFilter, search
from encours.dunning.channels.smtp import smtp_config
from encours.dunning.documents import load_company
from encours.dunning.scenarios import load_scenarios
from encours.settings import Settings
from encours.storage.database import unit_of_work
from encours.web.stored_settings import get_setting

COMPANY = {
    "name": "Tuiles Dupont SARL", "address": "4 rue des Lilas\n69003 Lyon\nFrance", "city": "Lyon",
    "siren": "732 829 320", "vat_number": "FR44732829320", "email": "compta@tuiles-dupont.fr",
    "phone": "04 72 00 00 00", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPPXXX",
    "payment_days_after_notice": "10", "notice_postal_days": "5",
}  # fmt: skip


def _audited(app: AdminApp, action: str) -> list[str | None]:
    with unit_of_work(app.engine) as session:
        return [e.subject for e in search(session, AuditFilter(action=action)).events]


def test_company_form_refuses_bad_numbers_and_saves_what_letters_print(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        bad = client.post(
            "/admin/settings/company",
            data={**COMPANY, "siren": "123456789", "iban": "FR7630006000011234567890180", "csrf_token": csrf},
        )
        assert bad.status_code == 422
        assert 'data-field="siren"' in bad.text and 'data-field="iban"' in bad.text
        assert "Tuiles Dupont SARL" in bad.text  # what was typed is kept
        assert not (admin_app.data_dir / "company.toml").exists()  # nothing saved
        good = client.post(
            "/admin/settings/company", data={**COMPANY, "csrf_token": csrf}, follow_redirects=False
        )
        assert good.status_code == 303
    company = load_company(admin_app.data_dir)  # what the CLI's dunning reads
    assert company.name == "Tuiles Dupont SARL" and company.siren == "732829320"
    assert company.iban == "FR76 3000 6000 0112 3456 7890 189"
    assert company.address == ("4 rue des Lilas", "69003 Lyon", "France")
    raw = tomllib.loads((admin_app.data_dir / "company.toml").read_text())
    assert raw["notice_postal_days"] == 5 and raw["payment_days_after_notice"] == 10
    assert "# The creditor named" in (admin_app.data_dir / "company.toml").read_text()  # comments kept
    assert _audited(admin_app, "settings.file_saved") == ["company.toml"]


def test_collectors_cannot_open_settings(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        sign_in(client, "collector")
        assert client.get("/admin/settings/company").status_code == 403
        assert client.get("/admin/audit").status_code == 403


def test_thresholds_form(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        page = client.get("/admin/settings/thresholds").text
        form = dict(re.findall(r'name="([a-z_]+\.(?:warning|critical))" value="([^"]*)"', page))
        assert form["dso_countback.warning"] == "60"
        inverted = client.post(
            "/admin/settings/thresholds", data={**form, "dso_countback.critical": "50", "csrf_token": csrf}
        )
        assert inverted.status_code == 422 and 'data-field="dso_countback"' in inverted.text
        saved = client.post(
            "/admin/settings/thresholds",
            data={**form, "dso_countback.warning": "45", "overdue_ratio.critical": "0,5", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert saved.status_code == 303
    found = {t.kpi: t for t in load_thresholds(admin_app.data_dir)}
    assert found["dso_countback"].warning == 45 and str(found["overdue_ratio"].critical) == "0.5"
    assert found["cei"].higher_is_worse is False


def _scenario_fields(page: str) -> dict[str, str]:
    fields = dict(
        re.findall(r'name="(steps-\d+-[a-z_]+|description|segments|risk_segments)" value="([^"]*)"', page)
    )
    for name, value in re.findall(
        r'<select name="([^"]+)">(?:(?!</select>).)*?<option value="([^"]*)" selected', page, re.S
    ):
        fields[name] = value
    fields.update({name: "1" for name in re.findall(r'name="([^"]+)" value="1" checked', page)})
    return fields


def test_scenario_form_changes_a_step_offset(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        page = client.get("/admin/settings/scenarios/default_fr_b2b")
        assert page.status_code == 200
        fields = _scenario_fields(page.text)
        assert fields["steps-1-key"] == "reminder" and fields["steps-1-offset_days"] == "3"
        assert fields["default"] == "1" and fields["steps-2-statement"] == "1"
        bad = client.post(
            "/admin/settings/scenarios/default_fr_b2b",
            data={**fields, "steps-1-offset_days": "trois", "csrf_token": csrf},
        )
        assert bad.status_code == 422 and "nombre entier" in bad.text
        assert not (admin_app.data_dir / "scenarios").exists()
        undefaulted = client.post(
            "/admin/settings/scenarios/default_fr_b2b", data={**fields, "default": "", "csrf_token": csrf}
        )
        assert undefaulted.status_code == 422 and "incohérent" in undefaulted.text  # no default scenario left
        saved = client.post(
            "/admin/settings/scenarios/default_fr_b2b",
            data={
                **fields, "steps-1-offset_days": "7", "steps-6-key": "relance_finale",
                "steps-6-kind": "reminder", "steps-6-offset_days": "20", "steps-6-channel": "email",
                "steps-6-template": "firm_reminder", "csrf_token": csrf,
            },
            follow_redirects=False,
        )  # fmt: skip
        assert saved.status_code == 303, saved.text
    loaded = load_scenarios(data_dir=admin_app.data_dir)
    assert not loaded.errors
    steps = {s.key: s for s in loaded.scenarios["default_fr_b2b"].steps}
    assert steps["reminder"].offset_days == 7 and steps["relance_finale"].offset_days == 20
    assert (
        steps["firm_reminder"].attachments == ("statement",)
        and steps["formal_notice"].kind == "formal_notice"
    )
    assert len(steps) == 7


def test_smtp_settings_and_a_real_test_email(admin_app: AdminApp, smtp_server: SmtpServer) -> None:
    port = smtp_server.url.rsplit(":", 1)[1]
    form = {"host": "127.0.0.1", "port": port, "security": "none", "username": "", "password": "",
            "sender": "relances@tuiles-dupont.fr"}  # fmt: skip
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        sent = client.post(
            "/admin/settings/smtp/test",
            data={**form, "recipient": "moi@tuiles-dupont.fr", "csrf_token": csrf},
        )
        assert sent.status_code == 200 and "accepté par le serveur" in sent.text, sent.text
        assert len(smtp_server.collector.received) == 1
        message = smtp_server.collector.received[0]
        assert message.recipients == ("moi@tuiles-dupont.fr",)
        assert message.message["Subject"] == "Encours\u202f: e-mail d'essai"
        assert message.message["From"] == "relances@tuiles-dupont.fr"
        unreachable = client.post(
            "/admin/settings/smtp/test",
            data={**form, "port": "1", "recipient": "moi@tuiles-dupont.fr", "csrf_token": csrf},
        )
        assert (
            'class="error" role="status" id="smtp-result"' in unreachable.text and "Échec" in unreachable.text
        )
        assert (
            client.post(
                "/admin/settings/smtp", data={**form, "csrf_token": csrf}, follow_redirects=False
            ).status_code
            == 303
        )
    config = smtp_config(
        Settings(data_dir=admin_app.data_dir, database_url=admin_app.url)
    )  # what dunning sends with
    assert config is not None and (config.host, config.port, config.starttls) == (
        "127.0.0.1",
        int(port),
        False,
    )
    assert config.sender == "relances@tuiles-dupont.fr"


def test_payment_link(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        bad = client.post(
            "/admin/settings/payment-link",
            data={"payment_link": "https://pay.example/{nope}", "csrf_token": csrf},
        )
        assert bad.status_code == 422
        link = "https://pay.example/?ref={invoice_id}&amount={amount}"
        ok = client.post(
            "/admin/settings/payment-link",
            data={"payment_link": link, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert ok.status_code == 303
    assert get_setting(admin_app.engine, "payment_link") == link


def test_exchange_rates_are_checked_then_saved_for_credit_limits(admin_app: AdminApp) -> None:
    from encours.casework.credit_limits import load_fx_rates

    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        index = client.get("/admin").text
        assert "/admin/settings/rates/fx" in index and "/dunning/templates/fr/email/reminder.txt" in index
        shipped = re.search(
            r"<textarea[^>]*>(.*?)</textarea>", client.get("/admin/settings/rates/fx").text, re.S
        )
        assert shipped and "date,currency,per_eur" in shipped.group(1)
        bad = client.post(
            "/admin/settings/rates/fx",
            data={"text": "date,currency,per_eur\nhier,USD,1.1\n", "csrf_token": csrf},
        )
        assert bad.status_code == 422 and not (admin_app.data_dir / "fx_rates.csv").exists()
        good = "date,currency,per_eur\n2026-01-02,USD,1.25\n"
        saved = client.post(
            "/admin/settings/rates/fx", data={"text": good, "csrf_token": csrf}, follow_redirects=False
        )
        assert saved.status_code == 303
        assert client.get("/admin/settings/rates/nope").status_code == 404
    assert (admin_app.data_dir / "fx_rates.csv").read_text() == good
    table = load_fx_rates(admin_app.data_dir)  # what credit limits read
    assert str(table.per_eur("USD", dt.date(2026, 6, 1))) == "1.25"
