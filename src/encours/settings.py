"""Runtime settings from the environment, read in one place."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///encours.db"
DATABASE_URL_ENV = "ENCOURS_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def data_dir() -> Path:
    return Path(os.environ.get("ENCOURS_DATA_DIR", "./encours-data"))
