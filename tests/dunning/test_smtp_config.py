"""ENCOURS_SMTP_URL parsing (SPEC §8): host, port, credentials, STARTTLS, bad values."""

from __future__ import annotations

import pytest

from encours.dunning.recipients import recipient_addresses
from encours.settings.smtp import parse_smtp_url


def test_full_url_with_credentials_and_starttls() -> None:
    config = parse_smtp_url("smtp://relance%40acme.fr:s%3Acret@mail.acme.fr:587?starttls=1", "ar@acme.fr")
    assert (config.host, config.port, config.username, config.password) == (
        "mail.acme.fr", 587, "relance@acme.fr", "s:cret",
    )  # fmt: skip
    assert config.starttls and not config.use_tls
    assert config.sender == "ar@acme.fr"


def test_defaults_and_implicit_tls() -> None:
    plain = parse_smtp_url("smtp://localhost", "a@b.c")
    assert (plain.port, plain.username, plain.starttls) == (25, None, False)
    tls = parse_smtp_url("smtps://smtp.example.com", "a@b.c", concurrency="2", rate="0.5")
    assert (tls.port, tls.use_tls, tls.concurrency, tls.rate_per_second) == (465, True, 2, 0.5)


@pytest.mark.parametrize(
    ("url", "sender", "needle"),
    [
        ("http://host:25", "a@b.c", "scheme"),
        ("smtp://:25", "a@b.c", "host"),
        ("smtp://host:99999", "a@b.c", "port"),
        ("smtp://host:25", "nobody", "ENCOURS_MAIL_FROM"),
        ("smtp://host:25?concurrency=0", "a@b.c", "CONCURRENCY"),
    ],
)
def test_bad_values_are_reported(url: str, sender: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        parse_smtp_url(url, sender)


def test_customer_e_mail_fields_with_several_addresses() -> None:
    assert recipient_addresses("compta@acme.fr; Paul <paul@acme.fr>") == ["compta@acme.fr", "paul@acme.fr"]
    assert recipient_addresses("  ") == [] and recipient_addresses(None) == []
    assert recipient_addresses("not an address") == []
