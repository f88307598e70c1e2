"""The SMTP screen: smtp.toml as a form, and a test e-mail through a real SMTP conversation.

Dunning and the digest read ``ENCOURS_SMTP_URL`` first; the screen says so when it is set.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

import tomlkit
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.settings.smtp import SECURITIES, StoredSmtp, parse_smtp_url
from encours.web.setup import company
from encours.web.setup.files import Problems

TEST_TIMEOUT = 15.0


def read_smtp_form(form: Mapping[str, Any], stored: StoredSmtp | None) -> tuple[StoredSmtp | None, Problems]:
    """The server the form names; a blank password keeps the saved one (it is never shown)."""
    problems = Problems()
    host = str(form.get("host", "")).strip()
    port_text = str(form.get("port", "")).strip()
    security = str(form.get("security", "none"))
    sender = str(form.get("sender", "")).strip()
    if not host or any(c in host for c in "/@: "):
        problems["host"] = "adm_bad_host"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        problems["port"] = "adm_bad_port"
    if security not in SECURITIES:
        problems["security"] = "adm_bad_choice"
    if sender and ("@" not in sender or " " in sender):
        problems["sender"] = "adm_bad_email"
    if problems:
        return None, problems
    password = str(form.get("password", "")) or (stored.password if stored else "")
    username = str(form.get("username", "")).strip()
    return StoredSmtp(
        host, int(port_text), security, username, password if username else "", sender
    ), problems


def smtp_toml(server: StoredSmtp) -> str:
    document = tomlkit.document()
    document.add(tomlkit.comment("SMTP server saved by the settings screen (ENCOURS_SMTP_URL wins over it)."))
    for key, value in server._asdict().items():
        document[key] = value
    return tomlkit.dumps(document)


class TestResult(NamedTuple):
    ok: bool
    reply: str  # the server's last reply, or why it could not be reached


def send_test_email(server: StoredSmtp, sender: str, recipient: str, subject: str, body: str) -> TestResult:
    """Connect, say EHLO, STARTTLS or TLS as configured, log in, send one message, quit."""
    config = parse_smtp_url(server.url(), sender)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message.set_content(body)
    context = ssl.create_default_context()
    try:
        if config.use_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=TEST_TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=TEST_TIMEOUT)
        with client:
            client.ehlo()
            if config.starttls:
                client.starttls(context=context)
                client.ehlo()
            if config.username:
                client.login(config.username, config.password or "")
            refused = client.send_message(message)
            if refused:
                return TestResult(
                    False,
                    "; ".join(f"{r}: {c} {m.decode(errors='replace')}" for r, (c, m) in refused.items()),
                )
            code, reply = client.noop()
            return TestResult(True, f"{code} {reply.decode(errors='replace')}")
    except smtplib.SMTPResponseException as exc:
        said = exc.smtp_error if isinstance(exc.smtp_error, str) else exc.smtp_error.decode(errors="replace")
        return TestResult(False, f"{exc.smtp_code} {said}")
    except (smtplib.SMTPException, OSError) as exc:
        return TestResult(False, f"{config.host}:{config.port}: {exc}")


def test_and_record(
    session: Session, actor: str, data_dir: Path, server: StoredSmtp, recipient: str, subject: str, body: str
) -> TestResult:
    """Send the test e-mail (from the server's sender, else the company's address); the audit
    trail keeps who tested, to whom, and whether it went."""
    sender = server.sender or company.company_values(data_dir)["email"]
    result = send_test_email(server, sender, recipient, subject, body)
    record(session, actor, "settings.smtp_tested", details={"to": recipient, "ok": result.ok})
    return result
