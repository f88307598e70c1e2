"""Serving the app with uvicorn: one process, or several worker processes on one port.

Python runs one thread at a time per process, so a busy server uses several processes;
they share the database (session versions, whole-ledger figures) and the signing secret
(ENCOURS_SECRET_KEY or the one stored in the database).
Workers build the app from the environment.
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from encours.settings import share_database_url

APP_FACTORY = "encours.web.server:app_from_environment"


def app_from_environment() -> FastAPI:
    """The app of the database named in the environment (what each worker process runs)."""
    from encours.web.app import create_app

    return create_app()


def serve(db_url: str | None, host: str, port: int, workers: int, log_level: str) -> None:
    if db_url:
        share_database_url(db_url)  # inherited by the worker processes
    # proxy_headers off: uvicorn would believe X-Forwarded-For from loopback; the app reads
    # proxy headers itself, from ENCOURS_TRUSTED_PROXIES only (web.client_address)
    if workers > 1:
        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level=log_level,
            proxy_headers=False,
        )  # fmt: skip
    else:
        uvicorn.run(app_from_environment(), host=host, port=port, log_level=log_level, proxy_headers=False)
