"""Slow clients cannot hold a server process (SPEC §13, issue 14): a real `encours serve`, real sockets.

The server runs as its own process with one request slot (the default) and short limits, so
the slow clients time out in seconds. Four of them hold connections at once — one trickles
its headers, one its body byte by byte, one says nothing after connecting, one announces a
large upload and stalls — while another client's `/healthz` and a signed-in page are each
served within 1 s (the issue's bound; nothing else here is timed). The slow clients then end
with a 408 or a closed connection, and the server keeps serving.
"""

from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from tests.web.conftest import PASSWORD, csrf_of, email, serving

TIMEOUT = 5  # seconds: header, body and keep-alive timeouts of the server under test
FORM_LIMIT = 64 * 1024
UPLOAD_LIMIT = 1024 * 1024
HEADER_LIMIT = 8 * 1024
LIMITS = {
    "ENCOURS_WEB_REQUESTS_IN_FLIGHT": "1",
    "ENCOURS_WEB_HEADER_TIMEOUT": str(TIMEOUT),
    "ENCOURS_WEB_BODY_TIMEOUT": str(TIMEOUT),
    "ENCOURS_WEB_KEEP_ALIVE_TIMEOUT": str(TIMEOUT),
    "ENCOURS_WEB_MAX_BODY_BYTES": str(FORM_LIMIT),
    "ENCOURS_WEB_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
    "ENCOURS_WEB_MAX_HEADER_BYTES": str(HEADER_LIMIT),
}
GIVE_UP = 60.0  # a slow client still open after this long means the server never ends it


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    base: str
    cookies: httpx.Cookies


@pytest.fixture(scope="module")
def server(web_url: str) -> Iterator[Server]:
    with (
        serving(web_url, env={**os.environ, **LIMITS}) as served,
        httpx.Client(base_url=served.base, timeout=60) as client,
    ):
        form = {
            "email": email("admin"),
            "password": PASSWORD,
            "csrf_token": csrf_of(client.get("/login").text),
        }
        assert client.post("/login", data=form).status_code == 303
        assert client.get("/customers").status_code == 200  # warm: first imports and queries
        yield Server("127.0.0.1", served.port, served.base, client.cookies)


def read_to_end(sock: socket.socket) -> bytes:
    """What the server sent until it closed the connection (a reset ends it too)."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            return received
        if not chunk:
            return received
        received += chunk


def slow_client(server: Server, first: bytes, drip: bytes | None) -> Callable[[], tuple[bytes, float]]:
    """Send ``first``, then ``drip`` every 0.2 s (or nothing) until the server answers or closes.
    Returns what the server sent and when (monotonic clock) the connection ended."""

    def run() -> tuple[bytes, float]:
        with socket.create_connection((server.host, server.port), timeout=GIVE_UP) as sock:
            if first:
                sock.sendall(first)
            started = time.monotonic()
            while time.monotonic() - started < GIVE_UP:
                readable, _, _ = select.select([sock], [], [], 0.2)
                if readable:
                    return read_to_end(sock), time.monotonic()
                if drip:
                    try:
                        sock.sendall(drip)
                    except OSError:
                        return read_to_end(sock), time.monotonic()
        raise AssertionError(f"the server kept a slow client for {GIVE_UP} s: {first[:40]!r}")

    return run


def head(method: str, path: str, **headers: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer.split()[1])


def served_within_one_second(server: Server) -> float:
    """/healthz on a new connection, then a signed-in page: each answered within 1 s."""
    started = time.monotonic()
    health = httpx.get(f"{server.base}/healthz", timeout=10)
    health_seconds = time.monotonic() - started
    assert health.status_code == 200
    started = time.monotonic()
    page = httpx.get(f"{server.base}/customers", cookies=server.cookies, timeout=10)
    page_seconds = time.monotonic() - started
    assert page.status_code == 200 and 'name="csrf_token"' in page.text  # signed in, not the login form
    assert health_seconds < 1.0, f"/healthz took {health_seconds:.2f} s beside the slow clients"
    assert page_seconds < 1.0, f"/customers took {page_seconds:.2f} s beside the slow clients"
    return time.monotonic()


def test_four_slow_clients_do_not_stop_another_client_being_served(server: Server) -> None:
    form = "application/x-www-form-urlencoded"
    upload = "multipart/form-data; boundary=b"
    clients = {
        "trickles its headers": slow_client(
            server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", b"x"
        ),
        "trickles its body": slow_client(
            server, head("POST", "/login", Content_Type=form, Content_Length="1000") + b"email=", b"a"
        ),
        "says nothing": slow_client(server, b"", None),
        "announces an upload and stalls": slow_client(
            server,
            head("POST", "/api/v1/auth/token", Content_Type=upload, Content_Length=str(UPLOAD_LIMIT - 1))
            + b"--b\r\n",
            None,
        ),
    }
    with ThreadPoolExecutor(len(clients)) as pool:
        running = {name: pool.submit(run) for name, run in clients.items()}
        time.sleep(0.5)  # all four connected and sending
        assert not any(future.done() for future in running.values())
        served_at = served_within_one_second(server)
        ended = {name: future.result() for name, future in running.items()}

    for name, (_, at) in ended.items():
        assert at > served_at, f"the client that {name} was let go before the others were served"
    assert status_of(ended["trickles its headers"][0]) == 408
    assert status_of(ended["trickles its body"][0]) == 408
    assert ended["says nothing"][0] == b""  # closed after the keep-alive timeout
    stalled = ended["announces an upload and stalls"][0]
    assert status_of(stalled) == 408 and b'"detail"' in stalled  # the API's error shape
    served_within_one_second(server)  # and the server goes on serving


def send_and_read(server: Server, data: bytes, chunks: Iterable[bytes] = ()) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=GIVE_UP) as sock:
        sock.sendall(data)
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except OSError:  # the server answered and closed before the whole body was sent
                break
        return read_to_end(sock)


def chunked(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"%x\r\n%s\r\n" % (size, b"a" * size)
        sent += size
    yield b"0\r\n\r\n"


def test_body_size_limits_answer_413_and_uploads_get_the_larger_limit(server: Server) -> None:
    form = "application/x-www-form-urlencoded"
    upload = "multipart/form-data; boundary=b"
    # announced too large: refused from the headers, before any byte of the body
    answer = send_and_read(
        server, head("POST", "/login", Content_Type=form, Content_Length=str(FORM_LIMIT + 1))
    )
    assert status_of(answer) == 413
    assert b"connection: close" in answer.lower()
    # chunked (no length announced): refused once the bytes pass the limit
    answer = send_and_read(
        server,
        head("POST", "/login", Content_Type=form, Transfer_Encoding="chunked"),
        chunked(2 * FORM_LIMIT),
    )
    assert status_of(answer) == 413
    # an upload above the form limit but under the upload limit reaches the app (not 413)
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    body += b"a" * (4 * FORM_LIMIT) + b"\r\n--b--\r\n"
    with httpx.Client(base_url=server.base, timeout=30) as client:
        accepted = client.post("/api/v1/auth/token", content=body, headers={"Content-Type": upload})
    assert accepted.status_code not in (408, 413)
    # an upload over the upload limit: 413, JSON under /api/
    answer = send_and_read(
        server, head("POST", "/api/v1/auth/token", Content_Type=upload, Content_Length=str(UPLOAD_LIMIT + 1))
    )
    assert status_of(answer) == 413 and b'"detail"' in answer
    # request headers over their limit: 431
    answer = send_and_read(server, head("GET", "/healthz", X_Big="a" * (2 * HEADER_LIMIT)))
    assert status_of(answer) == 431
    assert httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200
