"""The SMTP server e-mail goes through, from ``ENCOURS_SMTP_URL``: one parser, one set of defaults.

``smtp://[user:password@]host:port[?starttls=1]`` (``smtps://`` for implicit TLS); the sender
is ``ENCOURS_MAIL_FROM``. ``ENCOURS_SMTP_CONCURRENCY`` (default 4) and ``ENCOURS_SMTP_RATE``
(messages per second, default 10) bound the sending; the URL may also say ``?concurrency=``
and ``?rate=``. Dunning and the weekly digest both send with what this returns. Unset, the
server saved by the web app's settings screen (``smtp.toml`` of the data directory) is used.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

from encours.settings import InvalidSettings

DEFAULT_CONCURRENCY = 4
DEFAULT_RATE = 10.0


class SmtpConfig(NamedTuple):
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    use_tls: bool
    sender: str
    concurrency: int = DEFAULT_CONCURRENCY
    rate_per_second: float = DEFAULT_RATE
    timeout: float = 30.0


def _flag(values: dict[str, list[str]], name: str) -> bool:
    return values.get(name, ["0"])[-1].strip().lower() in ("1", "true", "yes", "on")


def parse_smtp_url(
    url: str, sender: str, concurrency: int | str | None = None, rate: float | str | None = None
) -> SmtpConfig:
    """Raises InvalidSettings naming the variable that is wrong (the CLI exits 2)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise InvalidSettings(f"ENCOURS_SMTP_URL: scheme must be smtp or smtps, got {parts.scheme!r}")
    if not parts.hostname:
        raise InvalidSettings("ENCOURS_SMTP_URL: missing host")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError as exc:
        raise InvalidSettings(f"ENCOURS_SMTP_URL: bad port ({exc})") from None
    if not sender or "@" not in sender:
        raise InvalidSettings("ENCOURS_MAIL_FROM: an e-mail address is required to send e-mail")
    query = parse_qs(parts.query)
    try:
        workers = int(concurrency or query.get("concurrency", [str(DEFAULT_CONCURRENCY)])[-1])
        per_second = float(rate or query.get("rate", [str(DEFAULT_RATE)])[-1])
    except ValueError:
        raise InvalidSettings("ENCOURS_SMTP_CONCURRENCY / ENCOURS_SMTP_RATE: numbers expected") from None
    if workers < 1 or per_second <= 0:
        raise InvalidSettings("ENCOURS_SMTP_CONCURRENCY must be ≥ 1 and ENCOURS_SMTP_RATE > 0")
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=_flag(query, "starttls"),
        use_tls=parts.scheme == "smtps",
        sender=sender,
        concurrency=workers,
        rate_per_second=per_second,
    )


SMTP_FILE = "smtp.toml"  # in the data directory: what the settings screen saves
SECURITIES = ("none", "starttls", "tls")


class StoredSmtp(NamedTuple):
    """The SMTP server saved by the settings screen, used when ENCOURS_SMTP_URL is unset."""

    host: str
    port: int
    security: str  # none, starttls or tls (smtps)
    username: str = ""
    password: str = ""
    sender: str = ""

    def url(self) -> str:
        scheme = "smtps" if self.security == "tls" else "smtp"
        login = ""
        if self.username:
            login = quote(self.username, safe="") + (
                f":{quote(self.password, safe='')}" if self.password else ""
            )
            login += "@"
        query = "?starttls=1" if self.security == "starttls" else ""
        return f"{scheme}://{login}{self.host}:{self.port}{query}"


def stored_smtp(data_dir: Path) -> StoredSmtp | None:
    """``smtp.toml`` of the data directory, or None when there is none; a bad one is refused."""
    path = data_dir / SMTP_FILE
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        stored = StoredSmtp(
            host=str(raw["host"]), port=int(raw.get("port", 25)), security=str(raw.get("security", "none")),
            username=str(raw.get("username", "")), password=str(raw.get("password", "")),
            sender=str(raw.get("sender", "")),
        )  # fmt: skip
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidSettings(f"{path}: {exc}") from None
    if stored.security not in SECURITIES:
        raise InvalidSettings(f"{path}: security must be one of {', '.join(SECURITIES)}")
    return stored
