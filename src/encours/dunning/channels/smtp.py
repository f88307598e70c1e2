"""E-mail over SMTP: concurrent (a few persistent connections) and rate-limited (token bucket).

``ENCOURS_SMTP_URL`` is ``smtp://[user:password@]host:port[?starttls=1]`` (``smtps://`` for
implicit TLS); ``ENCOURS_MAIL_FROM`` the sender (default: the e-mail of ``company.toml``).
``ENCOURS_SMTP_CONCURRENCY`` (default 4) and ``ENCOURS_SMTP_RATE`` (messages per second,
default 10) bound the sending. Each result is reported as soon as it is known, so the caller
can mark the message sent before the next one.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from encours.dunning.documents import load_company

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
    url: str, sender: str, concurrency: str | None = None, rate: str | None = None
) -> SmtpConfig:
    """Raises ValueError naming what is wrong (the CLI turns it into exit code 2)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"ENCOURS_SMTP_URL: scheme must be smtp or smtps, got {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("ENCOURS_SMTP_URL: missing host")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError as exc:
        raise ValueError(f"ENCOURS_SMTP_URL: bad port ({exc})") from None
    if not sender or "@" not in sender:
        raise ValueError("ENCOURS_MAIL_FROM: an e-mail address is required to send e-mail")
    query = parse_qs(parts.query)
    try:
        workers = int(concurrency or query.get("concurrency", [str(DEFAULT_CONCURRENCY)])[-1])
        per_second = float(rate or query.get("rate", [str(DEFAULT_RATE)])[-1])
    except ValueError:
        raise ValueError("ENCOURS_SMTP_CONCURRENCY / ENCOURS_SMTP_RATE: numbers expected") from None
    if workers < 1 or per_second <= 0:
        raise ValueError("ENCOURS_SMTP_CONCURRENCY must be ≥ 1 and ENCOURS_SMTP_RATE > 0")
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


def smtp_config_from_env() -> SmtpConfig | None:
    """None when e-mail is not configured (messages are then written as .eml files)."""
    url = os.environ.get("ENCOURS_SMTP_URL", "").strip()
    if not url:
        return None
    sender = os.environ.get("ENCOURS_MAIL_FROM")
    if sender is None:  # not set at all: the creditor's address from company.toml
        sender = load_company().email
    return parse_smtp_url(
        url,
        sender.strip(),
        os.environ.get("ENCOURS_SMTP_CONCURRENCY"),
        os.environ.get("ENCOURS_SMTP_RATE"),
    )


class OutgoingMail(NamedTuple):
    key: str  # the message key of the grouped actions
    message: EmailMessage


class TokenBucket:
    """At most ``rate`` messages per second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(max(1, burst))
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


ResultCallback = Callable[[OutgoingMail, Exception | None], None]


def permanent(error: Exception) -> bool:
    """A 5xx answer will not get better by retrying; connection trouble and 4xx may."""
    return isinstance(error, aiosmtplib.SMTPResponseException) and 500 <= error.code < 600


async def _send_all(config: SmtpConfig, mails: Iterable[OutgoingMail], on_result: ResultCallback) -> None:
    queue: asyncio.Queue[OutgoingMail | None] = asyncio.Queue(maxsize=config.concurrency * 2)
    bucket = TokenBucket(config.rate_per_second, config.concurrency)

    async def worker() -> None:
        client: aiosmtplib.SMTP | None = None
        while (mail := await queue.get()) is not None:
            await bucket.take()
            error: Exception | None = None
            try:
                if client is None or not client.is_connected:
                    client = aiosmtplib.SMTP(
                        hostname=config.host, port=config.port, username=config.username,
                        password=config.password, use_tls=config.use_tls, start_tls=config.starttls,
                        timeout=config.timeout,
                    )  # fmt: skip
                    await client.connect()
                await client.send_message(mail.message)
            except (aiosmtplib.SMTPException, OSError) as exc:
                error = exc
                if client is not None and client.is_connected and not permanent(exc):
                    client.close()
                if not permanent(exc):
                    client = None
            on_result(mail, error)
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    workers = [asyncio.create_task(worker()) for _ in range(config.concurrency)]
    for mail in mails:
        await queue.put(mail)
    for _ in workers:
        await queue.put(None)
    await asyncio.gather(*workers)


def send_all(config: SmtpConfig, mails: Iterable[OutgoingMail], on_result: ResultCallback) -> None:
    """Send every mail (prepared lazily by ``mails``); ``on_result`` runs right after each one."""
    asyncio.run(_send_all(config, mails, on_result))
