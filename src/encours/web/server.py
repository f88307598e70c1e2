"""Serving the app with uvicorn: one process, or several worker processes on one port.

Python runs one thread at a time per process, so a busy server uses several processes;
they share the database (session versions, whole-ledger figures) and the signing secret
(ENCOURS_SECRET_KEY or the one stored in the database).
Workers build the app from the environment.

Slow clients (SPEC §13). uvicorn 0.54 has no request-head timeout, no head size limit and
no timer on a connection until its first response: a client that trickles its headers, or
connects and sends nothing, keeps its connection for ever. :class:`GuardedHttpProtocol`
is uvicorn's httptools protocol with those three added: a connection with no request in
progress is closed after the keep-alive timeout (from its opening too), a request head must
arrive within the header timeout (else 408) and stay under the head size limit (else 431).
Bodies are the app's side: admission control reads them, with their own limits, before a
request takes a slot (encours.web.admission). Every limit is a setting (README).

Connections across workers. uvicorn's workers share one listening socket, and whichever
wakes first accepts every pending connection in one go: fifty keep-alive connections
opened together landed 50/0, 33/17 or 30/20 on two workers (measured), and each worker
serves its own connections' requests one at a time, so one core queued two thirds of the
load while the other idled. Each worker here listens on a socket of its own on the same
port (SO_REUSEPORT, as nginx's ``reuseport``): the kernel spreads new connections over
them by a hash of the client's address and port. Only processes of the same user may join
the port's group.
"""

from __future__ import annotations

import asyncio
import gc
import socket
from dataclasses import dataclass
from functools import cache
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import multiprocess

from encours.settings import get_settings, share_database_url

APP_FACTORY = "encours.web.server:app_from_environment"
PROTOCOL = "encours.web.server:GuardedHttpProtocol"  # by name: worker processes import it


# A page allocates tens of thousands of short-lived containers: at Python's default (700)
# the young generation is collected ~8 times a page and whatever the request still holds is
# promoted, then walked again by the older generations (~1.4 ms of a 20 ms page, full
# collections up to 17 ms, measured in process at 1M items). At 10,000 most of a page's
# objects are freed by reference counting before a collection looks at them.
GC_THRESHOLDS = (10_000, 50, 50)


def tune_collector() -> None:
    """For a server process, once its app is built: what was loaded at start (modules, routes,
    templates) is frozen out of the collections, and the young generation collected less often.
    The big cached figures are frozen as they are filled (encours.web.cache.settle)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def app_from_environment() -> FastAPI:
    """The app of the database named in the environment (what each worker process runs)."""
    from encours.web.app import create_app

    app = create_app()
    tune_collector()
    return app


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float
    keep_alive_timeout: float
    max_header_bytes: int


@cache
def limits_from_environment() -> ConnectionLimits:
    """Read once per server process, like the app of :func:`app_from_environment`."""
    settings = get_settings()
    return ConnectionLimits(
        header_timeout=settings.web_header_timeout,
        keep_alive_timeout=settings.web_keep_alive_timeout,
        max_header_bytes=settings.web_max_header_bytes,
    )


class HeadTooLarge(Exception):
    """Raised in a parser callback to stop parsing a request refused with 431."""


class GuardedHttpProtocol(HttpToolsProtocol):
    """One connection: uvicorn's protocol with an idle timer from the start, a head deadline
    and a head size limit. uvicorn is pinned; tests/web/test_slow_clients.py checks these
    hooks against a real server, so an upgrade that moves them fails there."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits_from_environment()
        self.timeout_keep_alive = self.limits.keep_alive_timeout  # type: ignore[assignment]  # call_later takes float
        self.awaiting_head = True  # no request head being parsed has completed yet
        self.head_bytes = 0
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn arms the keep-alive timer after a response only: a silent client stayed
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.awaiting_head:
            self.head_bytes += len(data)
            if self.head_timer is None:
                self.head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)
        super().data_received(data)
        if self.awaiting_head and self.head_bytes > self.limits.max_header_bytes:
            self._refuse_head(431)

    def on_headers_complete(self) -> None:
        self.awaiting_head = False
        self.head_bytes = 0
        self._stop_head_timer()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:  # the whole head came in one read
            self._refuse_head(431)
            raise HeadTooLarge  # stops the parser: the request never reaches the app
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if not self.transport.is_closing():  # else answered already (431)
            super().send_400_response(msg)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.awaiting_head = True  # bytes from now on are the next request's head

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # a pipelined head trickles: close after this response
            return
        self._refuse_head(408)

    def _refuse_head(self, status: int) -> None:
        """Answer ``status`` with no body and close (the request never reaches the app)."""
        self._stop_head_timer()
        if self.transport.is_closing():
            return
        self.transport.write(STATUS_LINE[status] + b"content-length: 0\r\nconnection: close\r\n\r\n")
        self.transport.close()


def shared_port(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that others of this user may bind too (SO_REUSEPORT).
    Bound, not listening: the supervisor's holds the port (a port in use fails at start)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class OwnSocketWorker(multiprocess.Process):
    """A uvicorn worker process that listens on a socket of its own on the supervisor's port
    (module docstring: the kernel then spreads connections over the workers)."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover - in the worker
        own = []
        for inherited in sockets or []:
            host, port = inherited.getsockname()[:2]
            inherited.close()
            own.append(shared_port(host, port))
        super().target(own)


def serve_workers(config: Config) -> None:
    """uvicorn's supervisor (restarts, signals, health checks) with workers of their own socket."""
    multiprocess.Process = OwnSocketWorker  # type: ignore[misc]  # the class the supervisor starts
    sock = shared_port(config.host, config.port)
    sock.set_inheritable(True)
    multiprocess.Multiprocess(config, sockets=[sock]).run()


def serve(db_url: str | None, host: str, port: int, workers: int, log_level: str) -> None:
    if db_url:
        share_database_url(db_url)  # inherited by the worker processes
    limits = limits_from_environment()  # a bad value fails here, before any worker starts
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "http": PROTOCOL,
        "ws": "none",  # no WebSocket route: upgrades are not offered
        "timeout_keep_alive": max(1, round(limits.keep_alive_timeout)),  # the protocol keeps the exact value
        # proxy_headers off: uvicorn would believe X-Forwarded-For from loopback; the app reads
        # proxy headers itself, from ENCOURS_TRUSTED_PROXIES only (web.client_address)
        "proxy_headers": False,
    }
    if workers > 1:
        serve_workers(Config(APP_FACTORY, factory=True, workers=workers, **options))
    else:
        uvicorn.run(app_from_environment(), **options)
