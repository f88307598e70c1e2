"""Where delivery writes under the data directory: letters per customer, unsent e-mails, and a
copy of every e-mail the SMTP server accepted (what the history shows)."""

from __future__ import annotations

from pathlib import Path


def safe_name(name: str) -> str:
    """A file name from an id, whatever characters the id holds."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"


def letters_folder(data_dir: Path, customer_id: str) -> Path:
    return data_dir / "letters" / safe_name(customer_id)


def mail_file(data_dir: Path, key: str) -> Path:
    """An e-mail written to send by hand (no SMTP configured), named by its message key."""
    return data_dir / "mail" / f"{safe_name(key)}.eml"


def sent_mail_file(data_dir: Path, key: str) -> Path:
    """The copy of an e-mail the SMTP server accepted, named by its message key."""
    return data_dir / "sent" / f"{safe_name(key)}.eml"
