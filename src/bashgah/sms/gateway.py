"""Sending SMS: one small interface, and the development adapter that writes each message to a file.

The real Iranian gateways (an adapter each over its documented HTTP API) come with the messaging work;
they only need ``send``. Which adapter a process uses is read from ``BASHGAH_SMS_GATEWAY`` (``file``) and
``BASHGAH_SMS_OUTBOX`` (the development adapter's file, one JSON object a line).

The file holds sign-in codes in plain text, so it is only a default in development
(``Settings.development``); production must name the gateway, and the file is readable by its owner only.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from bashgah.core.errors import BashgahError
from bashgah.models import utcnow


class SmsGateway(Protocol):
    """Sends one text message to one mobile (E.164). Raises when the message could not be handed over."""

    async def send(self, mobile: str, text: str) -> None: ...


class SmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BASHGAH_SMS_", env_file=".env", extra="ignore")

    #: Which adapter sends. Unset: ``file`` in development, and nothing in production, where ``bashgah
    #: serve`` refuses to start: writing codes to a file there has to be chosen on purpose.
    gateway: Literal["file"] | None = None
    #: Where the development adapter appends the messages it "sends".
    outbox: str = "var/sms-outbox.jsonl"


class SmsNotConfigured(BashgahError):
    """Production without a chosen SMS gateway: no code is sent (``bashgah serve`` does not even start)."""

    status = 503
    code = "sms_not_configured"
    message_en = "Sign-in codes cannot be sent right now. Please try again later or ask at the shop."
    message_fa = "فرستادن کد ورود اکنون ممکن نیست. کمی بعد دوباره امتحان کنید یا از فروشگاه بپرسید."


def chosen(settings: SmsSettings, development: bool) -> str:
    """The adapter to use: the one named, else the outbox file in development; production must name one."""
    if settings.gateway is not None:
        return settings.gateway
    if development:
        return "file"
    raise SmsNotConfigured()


@dataclass(frozen=True)
class OutboxMessage:
    at: datetime
    to: str
    text: str


class FileGateway:
    """Development adapter: appends ``{"at", "to", "text"}`` to a JSON-lines file instead of sending.

    Nothing leaves the machine; a developer (or a test) reads the code from the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Owner only: the lines hold sign-in codes. A file an older version left readable is closed too.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    async def send(self, mobile: str, text: str) -> None:
        line = json.dumps({"at": utcnow().isoformat(), "to": mobile, "text": text}, ensure_ascii=False)
        await asyncio.to_thread(self._append, line)

    def messages(self, mobile: str | None = None) -> list[OutboxMessage]:
        """The messages written so far (to ``mobile`` only, when given), oldest first."""
        if not self.path.exists():
            return []
        found = []
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            item = json.loads(raw)
            if mobile is None or item["to"] == mobile:
                found.append(OutboxMessage(datetime.fromisoformat(item["at"]), item["to"], item["text"]))
        return found


def from_settings(settings: SmsSettings | None, development: bool) -> SmsGateway:
    """The gateway the settings choose; raises SmsNotConfigured in production when none is named."""
    settings = settings or SmsSettings()
    chosen(settings, development)  # "file" is the only adapter so far
    return FileGateway(settings.outbox)


def refusal_to_serve(settings: SmsSettings, development: bool) -> str | None:
    """Why ``bashgah serve`` must not start with these settings (for the operator), or None."""
    try:
        chosen(settings, development)
    except SmsNotConfigured:
        return (
            "No SMS gateway is set for production: the member portal's sign-in codes would go nowhere. "
            "Set BASHGAH_SMS_GATEWAY (only 'file' exists so far: it writes the codes, in plain text, to "
            "BASHGAH_SMS_OUTBOX), or BASHGAH_ENV=development on a machine that is not serving members."
        )
    return None
