"""The SMTP server e-mail goes through, from ``ENCOURS_SMTP_URL``: one parser, one set of defaults.

``smtp://[user:password@]host:port[?starttls=1]`` (``smtps://`` for implicit TLS); the sender
is ``ENCOURS_MAIL_FROM``. ``ENCOURS_SMTP_CONCURRENCY`` (default 4) and ``ENCOURS_SMTP_RATE``
(messages per second, default 10) bound the sending; the URL may also say ``?concurrency=``
and ``?rate=``. Dunning and the weekly digest both send with what this returns.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

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
