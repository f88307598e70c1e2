"""Admission control: one request handled at a time per process by default, the rest wait.

Each request holds a pooled database connection until its unit of work closes, and that
close runs on a worker thread: with more requests in flight than connections, the threads
can all wait for a connection that only a queued close would free. Admitting no more
requests than the pool holds rules that out. Pages are CPU-bound Python: threads of one
process only take turns on the interpreter lock, so admitting more than one request per
process adds switching, not speed (measured in bench/RESULTS.md). Like a pre-fork server's
synchronous workers, serve with one process per core (`encours serve --workers N`); raise
ENCOURS_WEB_REQUESTS_IN_FLIGHT when slow exports should not hold a process's only slot.
Waiting requests are served in arrival order.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        """``limit``: the app passes ``Settings.web_requests_in_flight`` (default 1)."""
        self.app = app
        self.limit = max(1, limit)
        self._slots: asyncio.Semaphore | None = None  # made in the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
