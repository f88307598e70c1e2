"""Worker processes share the load of keep-alive connections opened together (encours.web.server)."""

from __future__ import annotations

import socket
import time
from collections import Counter
from pathlib import Path

from tests.web.conftest import serving
from tests.web.test_admission import children

LISTEN, ESTABLISHED = "0A", "01"


def sockets_on(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 sockets whose local port is ``port``, in ``state`` (/proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def holders(pids: list[int], inodes: set[str]) -> Counter[int]:
    """How many of these sockets each process holds open."""
    held: Counter[int] = Counter()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = fd.readlink().name
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[pid] += 1
    return held


def test_connections_opened_together_spread_over_both_workers(web_url: str) -> None:
    with serving(web_url, "--workers", "2") as served:
        workers = children(served.process.pid)
        deadline = time.monotonic() + 60
        while len(holders(workers, sockets_on(served.port, LISTEN))) < 2:  # both workers listen
            assert time.monotonic() < deadline, "a worker never listened"
            time.sleep(0.2)
            workers = children(served.process.pid)
        spreads = [opened_together(served.port, workers) for _ in range(4)]
    # one shared socket: the first worker to wake took them all (40/0) or most (33/7);
    # a socket per worker: the kernel's hash, about 20 each (below 8 happens ~1 in 100,000)
    assert all(len(held) == 2 and min(held) >= 8 and sum(held) == 40 for held in spreads), spreads


def opened_together(port: int, workers: list[int]) -> list[int]:
    """How many of 40 connections opened at once each worker accepted."""
    connections = [socket.socket() for _ in range(40)]
    for connection in connections:  # all at once, as fifty users' browsers do
        connection.setblocking(False)
        connection.connect_ex(("127.0.0.1", port))
    try:
        time.sleep(0.5)  # the workers accept them
        return sorted(holders(workers, sockets_on(port, ESTABLISHED)).values())
    finally:
        for connection in connections:
            connection.close()
        time.sleep(0.2)
