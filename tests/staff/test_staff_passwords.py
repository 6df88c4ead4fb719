"""Web passwords of staff: set from the command line, stored as argon2 hashes, reset lifts a lockout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import pytest
from typer.testing import CliRunner, Result

from bashgah.cli.main import app
from bashgah.core.config import get_settings
from bashgah.core.db import Database
from bashgah.models import utcnow
from bashgah.staff import service as staff
from bashgah.staff.errors import LoginFailed, LoginLocked, WeakPassword
from support import Club

Cli = Callable[..., Awaitable[Result]]


@pytest.fixture
def cli(db: Database, monkeypatch: pytest.MonkeyPatch) -> Cli:
    def invoke(args: Sequence[str], typed: str) -> Result:
        monkeypatch.setenv("BASHGAH_DATABASE_URL", db.url)
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(args), input=typed)
        finally:
            get_settings.cache_clear()

    async def run(*args: str, typed: str = "") -> Result:
        return await asyncio.to_thread(invoke, args, typed)

    return run


async def _login(db: Database, club: Club, username: str, password: str) -> staff.LoginResult:
    async with db.transaction() as session:
        return await staff.login(session, club.slug, username, password, utcnow())


async def test_an_owner_adds_a_cashier_with_a_password_and_resets_it_later(
    db: Database, club: Club, cli: Cli
) -> None:
    added = await cli(
        "staff", "add", "kasra", "--name", "کسری", "--branch", "main", "--password",
        typed="first-pass-1\nfirst-pass-1\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert (await _login(db, club, "kasra", "first-pass-1")).staff is not None
    reset = await cli("staff", "set-password", "kasra", typed="second-pass-2\nsecond-pass-2\n")
    assert reset.exit_code == 0, reset.output
    assert isinstance((await _login(db, club, "kasra", "first-pass-1")).error, LoginFailed)
    assert (await _login(db, club, "kasra", "second-pass-2")).staff is not None


async def test_the_password_is_stored_only_as_an_argon2_hash(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        person = await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
    assert person.password_hash is not None and person.password_hash.startswith("$argon2id$")
    assert "long-enough" not in person.password_hash


async def test_a_short_password_is_refused(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        with pytest.raises(WeakPassword):
            await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="short")


async def test_a_new_password_lifts_the_lockout(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
    for _ in range(5):
        result = await _login(db, club, "sara", "wrong-password")
    assert isinstance(result.error, LoginLocked)
    async with db.transaction() as session:
        await staff.set_password(session, club.tenant_id, "sara", "brand-new-one")
    assert (await _login(db, club, "sara", "brand-new-one")).staff is not None


async def test_a_disabled_person_or_one_without_a_password_cannot_sign_in(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        await staff.add(session, club.tenant_id, "ali", "علی", "manager")
        await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
        await staff.disable(session, club.tenant_id, "sara")
    assert isinstance((await _login(db, club, "ali", "")).error, LoginFailed)
    assert isinstance((await _login(db, club, "sara", "long-enough")).error, LoginFailed)


async def test_the_lock_ends_after_its_minutes(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
    now = utcnow()
    async with db.transaction() as session:
        for _ in range(5):
            await staff.login(session, club.slug, "sara", "wrong", now, max_failures=5, lock_minutes=15)
    async with db.transaction() as session:
        later = await staff.login(session, club.slug, "sara", "long-enough", now + timedelta(minutes=14))
        assert isinstance(later.error, LoginLocked)
    async with db.transaction() as session:
        after = await staff.login(session, club.slug, "sara", "long-enough", now + timedelta(minutes=16))
        assert after.staff is not None
