"""Settings, read from the environment (prefix ``BASHGAH_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BASHGAH_", env_file=".env", extra="ignore")

    #: SQLAlchemy async URL. The embedded default needs no server; use
    #: ``postgresql+asyncpg://user@host/db`` in production.
    database_url: str = "sqlite+aiosqlite:///./var/bashgah.db"
    #: ``development`` or ``production``. Unset: development on the embedded SQLite file, production on
    #: any other database. Production never falls back to a development stand-in (the SMS outbox file):
    #: ``bashgah serve`` refuses to start until the stand-in is chosen explicitly.
    env: Literal["development", "production"] | None = None
    #: Connections kept open per process (PostgreSQL only).
    pool_size: int = 20
    host: str = "127.0.0.1"
    port: int = 8000
    #: Language used when a client sends no Accept-Language.
    default_language: str = "fa"
    log_level: str = "info"
    #: One line per request (method, path, status, time; never the query string).
    access_log: bool = False
    #: Run the scheduled jobs inside ``bashgah serve`` (see ``bashgah.jobs.scheduler``). Unset: on for the
    #: embedded SQLite default, off for PostgreSQL, where ``bashgah jobs run`` from cron is recommended.
    scheduler: bool | None = None
    #: Minutes between two rounds of the in-process scheduler (daily jobs run once per Tehran day).
    scheduler_minutes: float = 5.0
    #: Web sign-in: wrong passwords in a row before the login locks, and for how long.
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    #: Hours a web session lasts after sign-in.
    web_session_hours: int = 12
    #: Largest request body in bytes: JSON and plain forms; multipart uploads (the console's imports).
    #: A larger body is refused with 413 while it is read, so memory stays bounded.
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Times a use case is run again after a transient database conflict (serialisation failure,
    #: deadlock, lock timeout; SQLite busy) before the caller gets 409.
    transaction_retries: int = 3
    #: The site is served over HTTPS (usually by a TLS proxy in front): cookies are always marked Secure,
    #: whatever scheme the request reached this process with, and every response carries HSTS.
    secure_cookies: bool = False
    #: How long browsers keep to HTTPS after an HSTS header (one year).
    hsts_seconds: int = 31_536_000

    @property
    def development(self) -> bool:
        if self.env is not None:
            return self.env == "development"
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
