"""Delivery failure reasons on French pages: our words translated, the server's reply kept."""

from __future__ import annotations

import pytest

from encours.web.ui.reasons import localised_reason


@pytest.mark.parametrize(
    ("stored", "french"),
    [
        ("no e-mail address", "pas d'adresse e-mail"),
        ("no postal address (task 12)", "pas d'adresse postale (tâche 12)"),
        (
            "SMTP server refused a@b.fr: 550 5.1.1 User unknown",
            "le serveur SMTP a refusé a@b.fr\u202f: 550 5.1.1 User unknown",
        ),
        (
            "SMTP server refused the message: 552 too big",
            "le serveur SMTP a refusé le message\u202f: 552 too big",
        ),
        (
            "SMTP server mail.example:25 unreachable: [Errno 111] Connection refused",
            "serveur SMTP mail.example:25 injoignable\u202f: [Errno 111] Connection refused",
        ),
    ],
)
def test_french_reasons(stored: str, french: str) -> None:
    assert localised_reason(stored, "fr") == french
    assert localised_reason(stored, "en") == stored
