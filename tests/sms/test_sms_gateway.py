"""The development SMS adapter writes sign-in codes to a file: only its owner may read it, and it is a
default only in development — production does not start on it unless it is chosen on purpose."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bashgah.cli import main as cli
from bashgah.core.config import Settings, get_settings
from bashgah.sms.gateway import FileGateway, SmsNotConfigured, SmsSettings, from_settings

POSTGRES = "postgresql+asyncpg://bashgah@db.internal/bashgah"
SQLITE = "sqlite+aiosqlite:///./var/bashgah.db"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_outbox_file_with_the_codes_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    outbox = FileGateway(tmp_path / "var" / "sms.jsonl")
    await outbox.send("+989121112233", "کد ورود: 123456")
    assert _mode(outbox.path) == 0o600
    assert outbox.messages("+989121112233")[0].text == "کد ورود: 123456"


async def test_an_outbox_an_older_version_left_world_readable_is_closed_on_the_next_message(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sms.jsonl"
    path.write_text("")
    path.chmod(0o644)
    await FileGateway(path).send("+989121112233", "کد ورود: 654321")
    assert _mode(path) == 0o600


def test_the_embedded_database_is_development_and_postgresql_is_production_unless_told() -> None:
    assert Settings(database_url=SQLITE).development
    assert not Settings(database_url=POSTGRES).development
    assert Settings(database_url=POSTGRES, env="development").development
    assert not Settings(database_url=SQLITE, env="production").development


def test_the_outbox_file_is_the_default_in_development_only() -> None:
    assert isinstance(from_settings(SmsSettings(gateway=None), development=True), FileGateway)
    with pytest.raises(SmsNotConfigured):
        from_settings(SmsSettings(gateway=None), development=False)
    chosen = from_settings(SmsSettings(gateway="file", outbox="/srv/sms.jsonl"), development=False)
    assert isinstance(chosen, FileGateway) and chosen.path == Path("/srv/sms.jsonl")


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``bashgah serve`` with the given environment; returns (exit code, output, whether it started)."""
    for name in ("BASHGAH_ENV", "BASHGAH_SMS_GATEWAY", "BASHGAH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **kwargs: started.append(kwargs))

    def run(**env: str) -> tuple[int, str, bool]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli.app, ["serve"])
        finally:
            get_settings.cache_clear()
        return result.exit_code, result.output, bool(started)

    return run


def test_production_refuses_to_serve_without_a_chosen_sms_gateway(serve: Any) -> None:
    code, output, started = serve(BASHGAH_DATABASE_URL=POSTGRES)
    assert code == 2 and not started
    assert "BASHGAH_SMS_GATEWAY" in output


def test_production_on_the_embedded_database_refuses_too_when_it_says_it_is_production(serve: Any) -> None:
    code, _, started = serve(BASHGAH_DATABASE_URL=SQLITE, BASHGAH_ENV="production")
    assert code == 2 and not started


def test_production_serves_with_the_outbox_file_when_it_is_chosen_on_purpose(serve: Any) -> None:
    code, output, started = serve(BASHGAH_DATABASE_URL=POSTGRES, BASHGAH_SMS_GATEWAY="file")
    assert code == 0 and started, output


def test_development_serves_with_the_outbox_file_by_default(serve: Any) -> None:
    code, output, started = serve(BASHGAH_DATABASE_URL=SQLITE)
    assert code == 0 and started, output
