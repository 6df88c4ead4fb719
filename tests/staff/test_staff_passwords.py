"""Web passwords of staff: set from the command line, stored as argon2 hashes, reset lifts a lockout."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.models import AuditEntry, utcnow
from bashgah.staff import service as staff
from bashgah.staff.errors import LoginFailed, LoginLocked, WeakPassword
from support import Cli, Club


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


async def _attempt(
    db: Database, club: Club, password: str, address: str, when: datetime
) -> staff.LoginResult:
    async with db.transaction() as session:
        return await staff.login(session, club.slug, "sara", password, when, address=address)


async def test_someone_guessing_the_owners_password_elsewhere_does_not_lock_the_owner_out(
    db: Database, club: Club
) -> None:
    async with db.transaction() as session:
        await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
    now = utcnow()
    for _ in range(5):
        guessed = await _attempt(db, club, "wrong", "203.0.113.9", now)
    assert isinstance(guessed.error, LoginLocked)
    # The guesser's address is locked, even with the right password…
    assert isinstance((await _attempt(db, club, "long-enough", "203.0.113.9", now)).error, LoginLocked)
    # …while the owner signs in from the shop as usual.
    assert (await _attempt(db, club, "long-enough", "192.0.2.10", now)).staff is not None


async def test_each_further_lock_from_the_same_address_lasts_twice_as_long(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
    now = utcnow()
    for _ in range(5):
        first = await _attempt(db, club, "wrong", "203.0.113.9", now)
    assert isinstance(first.error, LoginLocked) and first.error.params["minutes"] == 15
    after_first = now + timedelta(minutes=16)
    for _ in range(5):
        second = await _attempt(db, club, "wrong", "203.0.113.9", after_first)
    assert isinstance(second.error, LoginLocked) and second.error.params["minutes"] == 30
    later = after_first + timedelta(minutes=29)
    assert isinstance((await _attempt(db, club, "long-enough", "203.0.113.9", later)).error, LoginLocked)
    assert (await _attempt(db, club, "long-enough", "203.0.113.9", later + timedelta(minutes=2))).staff


def test_the_back_off_doubles_and_stops_at_a_day() -> None:
    assert [staff.lock_length(15, n) for n in range(4)] == [timedelta(minutes=m) for m in (15, 30, 60, 120)]
    assert staff.lock_length(15, 40) == timedelta(hours=24)


async def test_an_owner_unlocks_a_staff_member_from_the_command_line(
    db: Database, club: Club, cli: Cli
) -> None:
    async with db.transaction() as session:
        await staff.add(session, club.tenant_id, "sara", "سارا", "owner", password="long-enough")
    now = utcnow()
    for _ in range(5):
        await _attempt(db, club, "wrong", "192.0.2.10", now)
    assert isinstance((await _attempt(db, club, "long-enough", "192.0.2.10", now)).error, LoginLocked)
    unlocked = await cli("staff", "unlock", "sara")
    assert unlocked.exit_code == 0, unlocked.output
    assert "can sign in again" in unlocked.output
    assert (await _attempt(db, club, "long-enough", "192.0.2.10", utcnow())).staff is not None
    async with db.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "staff.unlocked" in actions
    unknown = await cli("staff", "unlock", "nobody")
    assert unknown.exit_code != 0
