"""Sending SMS: one small interface, and the development adapter that writes each message to a file.

The real Iranian gateways (an adapter each over its documented HTTP API) come with the messaging work;
they only need ``send``. Which adapter a process uses is read from ``BASHGAH_SMS_GATEWAY`` (``file``) and
``BASHGAH_SMS_OUTBOX`` (the development adapter's file, one JSON object a line).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from bashgah.models import utcnow


class SmsGateway(Protocol):
    """Sends one text message to one mobile (E.164). Raises when the message could not be handed over."""

    async def send(self, mobile: str, text: str) -> None: ...


class SmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BASHGAH_SMS_", env_file=".env", extra="ignore")

    gateway: Literal["file"] = "file"
    #: Where the development adapter appends the messages it "sends".
    outbox: str = "var/sms-outbox.jsonl"


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
        with self.path.open("a", encoding="utf-8") as out:
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


def from_settings(settings: SmsSettings | None = None) -> SmsGateway:
    settings = settings or SmsSettings()
    return FileGateway(settings.outbox)
