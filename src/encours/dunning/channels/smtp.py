"""E-mail over SMTP: concurrent (a few persistent connections) and rate-limited (token bucket).

The server, sender and bounds come from ``encours.settings.smtp`` (``ENCOURS_SMTP_URL``...).
Each result is reported as soon as it is known, so the caller can mark the message sent
before the next one; :class:`Sender` sends one message at a time for callers that must
record each before the next leaves (a crash then repeats only the message in flight).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import NamedTuple

import aiosmtplib

from encours.dunning.documents import load_company
from encours.settings import Settings
from encours.settings.smtp import SmtpConfig, parse_smtp_url, stored_smtp


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """None when e-mail is not configured (messages are then written as .eml files).

    ``ENCOURS_SMTP_URL``, else ``smtp.toml`` of the data directory (the settings screen's). The
    sender is ``ENCOURS_MAIL_FROM``, else that file's, else the creditor's from ``company.toml``.
    Raises InvalidSettings naming the variable that is wrong.
    """
    url = settings.smtp_url.strip()
    stored = None if url else stored_smtp(settings.data_dir)  # saved by the settings screen
    if not url and stored is None:
        return None
    sender = settings.mail_from or (stored.sender if stored else "") or load_company(settings.data_dir).email
    url = url or (stored.url() if stored else "")
    return parse_smtp_url(url, sender.strip(), settings.smtp_concurrency, settings.smtp_rate)


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
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):  # every recipient refused at RCPT
        return bool(error.recipients) and all(500 <= r.code < 600 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and 500 <= error.code < 600


def describe(error: Exception, config: SmtpConfig | None = None) -> str:
    """The reason a credit manager reads: the server's own reply, or why it could not be reached."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        first = error.recipients[0]
        return f"SMTP server refused {first.recipient}: {first.code} {first.message}".strip()
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"SMTP server refused the message: {error.code} {error.message}".strip()
    where = f" {config.host}:{config.port}" if config is not None else ""
    if isinstance(error, (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, OSError)):
        return f"SMTP server{where} unreachable: {error}"
    return f"SMTP error{where}: {error}"


Connection = aiosmtplib.SMTP | None


async def _deliver(
    client: Connection, config: SmtpConfig, message: EmailMessage
) -> tuple[Connection, Exception | None]:
    """Send on ``client`` (connecting when needed); returns the connection to reuse and the error."""
    try:
        if client is None or not client.is_connected:
            client = aiosmtplib.SMTP(
                hostname=config.host, port=config.port, username=config.username,
                password=config.password, use_tls=config.use_tls, start_tls=config.starttls,
                timeout=config.timeout,
            )  # fmt: skip
            await client.connect()
        await client.send_message(message)
    except (aiosmtplib.SMTPException, OSError) as exc:
        if permanent(exc):
            return client, exc
        if client is not None and client.is_connected:
            client.close()
        return None, exc
    return client, None


async def _quit(client: Connection) -> None:
    if client is not None and client.is_connected:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()


async def _send_all(config: SmtpConfig, mails: Iterable[OutgoingMail], on_result: ResultCallback) -> None:
    queue: asyncio.Queue[OutgoingMail | None] = asyncio.Queue(maxsize=config.concurrency * 2)
    bucket = TokenBucket(config.rate_per_second, config.concurrency)

    async def worker() -> None:
        client: Connection = None
        while (mail := await queue.get()) is not None:
            await bucket.take()
            client, error = await _deliver(client, config, mail.message)
            on_result(mail, error)
        await _quit(client)

    workers = [asyncio.create_task(worker()) for _ in range(config.concurrency)]
    for mail in mails:
        await queue.put(mail)
    for _ in workers:
        await queue.put(None)
    await asyncio.gather(*workers)


def send_all(config: SmtpConfig, mails: Iterable[OutgoingMail], on_result: ResultCallback) -> None:
    """Send every mail (prepared lazily by ``mails``); ``on_result`` runs right after each one."""
    asyncio.run(_send_all(config, mails, on_result))


class Sender:
    """One message at a time on one kept connection, for a caller that records each message
    before taking the next: a crash can then repeat only the message in flight.

        with Sender(config) as sender:
            error = sender.send(message)  # None: the server accepted it
    """

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.runner = asyncio.Runner()
        self.client: Connection = None
        self.bucket: TokenBucket | None = None

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.runner.run(_quit(self.client))
        finally:
            self.runner.close()

    def send(self, message: EmailMessage) -> Exception | None:
        return self.runner.run(self._send(message))

    async def _send(self, message: EmailMessage) -> Exception | None:
        self.bucket = self.bucket or TokenBucket(self.config.rate_per_second, 1)
        await self.bucket.take()
        self.client, error = await _deliver(self.client, self.config, message)
        return error


def message_id(name: str, sender: str) -> str:
    """A Message-ID fixed by what the message is (``name``), so a repeat after a crash is recognisable."""
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "encours.local"
    return f"<{name}@{domain}>"
