"""Admission control: a request takes one of its process's slots only once its body has arrived.

Each request holds a pooled database connection until its unit of work closes, and that
close runs on a worker thread: with more requests in flight than connections, the threads
can all wait for a connection that only a queued close would free. Admitting no more
requests than the pool holds rules that out. Pages are CPU-bound Python: threads of one
process only take turns on the interpreter lock, so admitting more than one request per
process adds switching, not speed (measured in bench/RESULTS.md). Like a pre-fork server's
synchronous workers, serve with one process per core (`encours serve --workers N`); raise
ENCOURS_WEB_REQUESTS_IN_FLIGHT when slow exports should not hold a process's only slot.
Waiting requests are served in arrival order.

A slot is for work, never for waiting on the network: the request body is read in full
before the request queues for a slot (in memory up to the form limit, spooled to a
temporary file beyond), so a client that trickles its body, or announces one and never
sends it, holds a connection but no slot (SPEC §13). The body must arrive within
``timeout`` seconds plus one second per ``min_rate`` bytes received (a slow but honest
upload keeps going, a trickle does not), else 408; a body over its limit is refused with
413 as soon as its Content-Length or its bytes say so. Both answers close the connection.
Request headers, idle connections and their timeouts are the server's (encours.web.server).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from encours.settings import Settings

REPLAY_CHUNK = 64 * 1024


@dataclass(frozen=True)
class BodyLimits:
    """How big a request body may be and how fast it must arrive (the ``web_*`` settings)."""

    max_bytes: int  # forms and JSON
    max_upload_bytes: int  # multipart/form-data: file uploads such as imports
    timeout: float
    min_rate: int  # bytes per second that extend the deadline by one second

    @classmethod
    def of(cls, settings: Settings) -> BodyLimits:
        return cls(
            max_bytes=settings.web_max_body_bytes,
            max_upload_bytes=settings.web_max_upload_bytes,
            timeout=settings.web_body_timeout,
            min_rate=settings.web_body_min_rate,
        )

    def limit_for(self, scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.max_upload_bytes
        return self.max_bytes


class BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The client disconnected before its body arrived: nothing to answer."""


class Body:
    """A received request body: chunks in memory, moved to a temporary file past ``spool_at``."""

    def __init__(self, spool_at: int) -> None:
        self.spool_at = spool_at
        self.size = 0
        self.chunks: list[bytes] = []
        self.file: IO[bytes] | None = None

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.file is None and self.size > self.spool_at:
            self.file = tempfile.TemporaryFile()  # noqa: SIM115  # closed by close(), after the app
            self.file.writelines(self.chunks)
            self.chunks = []
        if self.file is not None:
            self.file.write(chunk)
        elif chunk:
            self.chunks.append(chunk)

    def parts(self) -> Iterator[bytes]:
        if self.file is None:
            yield b"".join(self.chunks)
            return
        self.file.seek(0)
        while part := self.file.read(REPLAY_CHUNK):
            yield part

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def announces_body(scope: Scope) -> bool:
    """Whether the request has a body (RFC 9112 §6.3: a Content-Length above 0, or chunked)."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
    return False


def content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


async def read_body(receive: Receive, scope: Scope, limits: BodyLimits) -> Body:
    """The whole body, within its size limit and deadline (else :class:`BodyRefused`)."""
    limit = limits.limit_for(scope)
    announced = content_length(scope)
    if announced is not None and announced > limit:
        raise BodyRefused(413, f"request body over {limit} bytes")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.timeout
    body = Body(spool_at=limits.max_bytes)
    try:
        more = True
        while more:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyRefused(408, "request body not received in time") from None
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            body.add(chunk)
            if body.size > limit:
                raise BodyRefused(413, f"request body over {limit} bytes")
            deadline += len(chunk) / limits.min_rate
            more = message.get("more_body", False)
    except BaseException:
        body.close()
        raise
    return body


def replaying(body: Body, receive: Receive) -> Receive:
    """The app's ``receive``: the stored body, then the connection's own events (disconnect)."""
    parts = body.parts()
    pending: bytes | None = next(parts)

    async def replay() -> Message:
        nonlocal pending
        if pending is None:
            return await receive()
        chunk, pending = pending, next(parts, None)
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    return replay


async def refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """408 or 413, JSON under /api/ (the API's error shape), plain text elsewhere; then close."""
    if str(scope.get("path", "")).startswith("/api/"):
        content, kind = json.dumps({"detail": message, "field": None}).encode(), b"application/json"
    else:
        content, kind = message.encode(), b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(content)).encode()),
        (b"connection", b"close"),  # the rest of the body is never read
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


INNER_REQUEST = "encours.inner_request"  # set by the app only (ui.form_errors): it holds a slot already


class AdmissionLimit:
    def __init__(self, app: ASGIApp, limit: int, body: BodyLimits) -> None:
        """``limit``: the app passes ``Settings.web_requests_in_flight`` (default 1, at most
        encours.storage.database.POOL_SIZE, leaving room for background figures)."""
        self.app = app
        self.limit = max(1, limit)
        self.body = body
        self._slots: asyncio.Semaphore | None = None  # made in the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(INNER_REQUEST):  # a page a refused form re-renders
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        if not announces_body(scope):
            async with self._slots:
                await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive, scope, self.body)
        except BodyRefused as refusal:
            await refuse(scope, send, refusal.status, refusal.message)
            return
        except ClientGone:
            return
        try:
            async with self._slots:
                await self.app(scope, replaying(body, receive), send)
        finally:
            body.close()
