"""Where a customer's reminders go: the addresses in its e-mail field."""

from __future__ import annotations

from email.utils import getaddresses


def recipient_addresses(field: str | None) -> list[str]:
    """The addresses of a customer's e-mail field ("a@x.fr", "a@x.fr; b@x.fr", "Name <a@x.fr>")."""
    if not field:
        return []
    return [address for _, address in getaddresses([field.replace(";", ",")]) if "@" in address]
