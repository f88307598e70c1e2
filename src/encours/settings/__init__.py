"""Runtime settings from the environment (``ENCOURS_*``), read in one place.

The edges build them: each CLI command calls :func:`get_settings` when it runs, the web app
factory once per app, and pass them (or the few values needed) to the services. Nothing
else reads the environment, so a test that sets a variable only has to set it before the
command runs or the app is made.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, IPvAnyNetwork, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from encours.domain.bank_charges import DEFAULT_CAP, DEFAULT_RATE, ChargeTolerance
from encours.domain.errors import InvalidInput
from encours.domain.records import CUSTOMER_ACCOUNT_PREFIXES

PREFIX = "ENCOURS_"
DEFAULT_DATABASE_URL = "sqlite:///encours.db"
DATABASE_URL_ENV = f"{PREFIX}DATABASE_URL"
DEFAULT_FORESIGHT_MAX_ENTRIES = 300_000
MIN_SECRET_BYTES = 32
Seconds = Annotated[float, Field(gt=0)]
Bytes = Annotated[int, Field(gt=0)]


MIN_METRICS_TOKEN = 24


class InvalidSettings(InvalidInput, ValueError):
    """An environment variable with a value Encours cannot use (a refusal: the CLI exits 2)."""


class Settings(BaseSettings):
    """Every ``ENCOURS_*`` variable; README's settings table lists them."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    data_dir: Path = Path("./encours-data")
    # e-mail: smtp://user:password@host:port?starttls=1, parsed by encours.settings.smtp
    smtp_url: str = ""
    mail_from: str | None = None  # unset: the e-mail of company.toml
    smtp_concurrency: int | None = None  # else ?concurrency= of the URL, else 4
    smtp_rate: float | None = None  # messages per second; else ?rate= of the URL, else 10
    rates_file: Path | None = None  # else ecb_rates.csv in the data directory, else the shipped one
    fec_customer_prefixes: Annotated[tuple[str, ...], NoDecode] = CUSTOMER_ACCOUNT_PREFIXES
    secret_key: str = ""  # at least 32 bytes; else a secret kept in the database (web.keys)
    base_url: str = ""  # makes portal links absolute
    payment_link: str = ""  # else the app setting of the same name
    secure_cookies: bool | None = None  # unset: on when base_url is https (see cookies_secure)
    # proxies whose X-Forwarded-For / Forwarded headers name the client (addresses or CIDRs)
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = ()
    # at most encours.storage.database.POOL_SIZE, leaving room for background figures
    web_requests_in_flight: int = 1
    # slow clients (encours.web.server and encours.web.admission): a request's headers must
    # arrive within web_header_timeout, its body within web_body_timeout plus one second per
    # web_body_min_rate bytes received; an idle connection is closed after the keep-alive timeout
    web_header_timeout: Seconds = 10.0
    web_body_timeout: Seconds = 30.0
    web_body_min_rate: Bytes = 64 * 1024
    web_keep_alive_timeout: Seconds = 5.0
    web_max_header_bytes: Bytes = 64 * 1024
    web_max_body_bytes: Bytes = 1024 * 1024  # forms and JSON
    web_max_upload_bytes: Bytes = 32 * 1024 * 1024  # multipart/form-data (file uploads)
    web_foresight_max_entries: int = DEFAULT_FORESIGHT_MAX_ENTRIES
    # cash application: a shortfall up to this share of the amount due, at most the cap, is bank charges
    bank_charge_rate: Annotated[Decimal, Field(ge=0, lt=1)] = DEFAULT_RATE
    bank_charge_cap: Annotated[Decimal, Field(ge=0)] = DEFAULT_CAP
    log_level: str = "warning"
    demo_password: str = ""  # else a random one
    # jobs (encours.jobs): auto = the PostgreSQL queue on PostgreSQL, in-process on SQLite
    jobs_backend: Literal["auto", "queue", "inprocess"] = "auto"
    jobs_lease: Seconds = 30.0  # a worker silent this long is dead: its job goes to another
    # /metrics answers a scraper sending "Authorization: Bearer <this>", or a signed-in admin
    metrics_token: str = ""
    fault_after_sends: int | None = None  # testing: the outbox exits hard after N deliveries

    @field_validator("fec_customer_prefixes", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        """``411,416`` widens what counts as a customer account; blank keeps ``411``."""
        if isinstance(value, str):
            parts = tuple(part.strip() for part in value.split(",") if part.strip())
            return parts or CUSTOMER_ACCOUNT_PREFIXES
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        """``10.0.0.1, 192.168.0.0/16``; blank trusts no proxy."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("metrics_token")
    @classmethod
    def _hard_to_guess(cls, value: str) -> str:
        """A short token is guessed by a scraper of the open internet: refused at start."""
        if value and len(value) < MIN_METRICS_TOKEN:
            raise ValueError(f"ENCOURS_METRICS_TOKEN needs at least {MIN_METRICS_TOKEN} characters")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        """A short secret can be guessed offline from one signed cookie: refused at start."""
        size = len(value.encode())
        if value and size < MIN_SECRET_BYTES:
            raise ValueError(
                f"the secret key is {size} bytes; at least {MIN_SECRET_BYTES} are needed "
                "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or leave it unset to use the key file of the data directory"
            )
        return value

    @property
    def charge_tolerance(self) -> ChargeTolerance:
        return ChargeTolerance(self.bank_charge_rate, self.bank_charge_cap)

    @property
    def cookies_secure(self) -> bool:
        """Session cookies only over HTTPS: ENCOURS_SECURE_COOKIES, else when the base URL is https."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.base_url.strip().lower().startswith("https://")


def get_settings() -> Settings:
    """The settings as the environment says now; a bad value raises :class:`InvalidSettings`."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            f"{PREFIX}{'.'.join(map(str, error['loc'])).upper()}: {error['msg']}"
            + ("" if error["loc"][:1] == ("secret_key",) else f" (got {error['input']!r})")  # never echoed
            for error in exc.errors()
        ]
        raise InvalidSettings("; ".join(problems)) from None


def share_database_url(url: str) -> None:
    """Worker processes of ``encours serve`` build their app from the environment they inherit."""
    os.environ[DATABASE_URL_ENV] = url
