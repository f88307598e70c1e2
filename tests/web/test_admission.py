"""Admission control and multi-process serving."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from starlette.types import Receive, Scope, Send
from tests.web.conftest import PASSWORD, csrf_of, email, serving

from encours.settings import Settings
from encours.web.admission import AdmissionLimit, BodyLimits


class Counting:
    """An ASGI app that records how many requests it handles at once."""

    def __init__(self) -> None:
        self.now = self.most = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.now += 1
        self.most = max(self.most, self.now)
        await asyncio.sleep(0.01)
        self.now -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def test_no_more_requests_than_the_limit_are_handled_at_once_and_none_is_refused() -> None:
    inner = Counting()
    app = AdmissionLimit(inner, limit=3, body=BodyLimits.of(Settings()))

    async def burst() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            responses = await asyncio.gather(*(client.get("/") for _ in range(20)))
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 20
    assert inner.most == 3


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_with_two_worker_processes_signs_in_and_shows_the_dashboard(web_url: str) -> None:
    with serving(web_url, "--workers", "2") as served:
        with httpx.Client(base_url=served.base, timeout=60) as client:
            csrf = csrf_of(client.get("/login").text)
            form = {"email": email("admin"), "password": PASSWORD, "csrf_token": csrf}
            assert client.post("/login", data=form).status_code == 303
            for _ in range(6):  # new connections: both workers answer, each knows the session
                with httpx.Client(base_url=served.base, cookies=client.cookies, timeout=60) as fresh:
                    page = fresh.get("/?as_of=2026-10-31")
                    assert page.status_code == 200
                    assert re.search(r'id="kpi-outstanding-EUR"', page.text)
        assert len(children(served.process.pid)) >= 2  # uvicorn's worker processes under its supervisor
