"""What the jobs benches share: `encours worker` processes, waiting for jobs, a slow SMTP server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import text

from child import encours_command
from encours.storage.database import get_engine


class SlowSmtp:
    """An SMTP server answering each message after a delay (a real relay is not instant)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        for line in content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
        return "250 OK"

    @property
    def duplicates(self) -> int:
        """Messages received more than once (same Message-ID)."""
        return len(self.ids) - len(set(self.ids))


@contextlib.contextmanager
def smtp_server(delay_ms: float) -> Iterator[tuple[SlowSmtp, int]]:
    """A SlowSmtp on a free loopback port: (handler, port)."""
    handler = SlowSmtp(delay_ms / 1000)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_env(port: int) -> dict[str, str]:
    """The workers' settings to send through the bench's SMTP server."""
    return {"ENCOURS_SMTP_URL": f"smtp://127.0.0.1:{port}", "ENCOURS_MAIL_FROM": "relances@encours.test",
            "ENCOURS_SMTP_RATE": "1000"}  # fmt: skip


def start_workers(
    url: str, count: int, env: dict[str, str], concurrency: int = 1
) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [*encours_command(), "worker", "--no-scheduler", "--concurrency", str(concurrency), "--db", url],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far, from /proc (0 for one gone or not ours)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_finished(url: str, job_ids: list[int], timeout: float) -> float:
    """Seconds until every job is finished."""
    engine = get_engine(url)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with engine.connect() as connection:
            left = connection.execute(
                text(
                    "SELECT count(*) FROM jobs WHERE id = ANY(:ids) "
                    "AND status NOT IN ('done', 'failed', 'cancelled')"
                ),
                {"ids": job_ids},
            ).scalar_one()
        if left == 0:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise TimeoutError(f"jobs not finished after {timeout} s")
