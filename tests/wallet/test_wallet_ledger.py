"""The rials asset lives in the same ledger as points and ``ledger verify`` proves its sums too."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update
from wallet_helpers import issue_cards, topped_up

from bashgah.core.db import Database
from bashgah.core.migrate import upgrade
from bashgah.models import Account
from support import Club, execute, ledger_problems


async def test_ledger_verify_catches_a_wallet_or_gift_card_balance_that_does_not_match_its_transfers(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    await topped_up(client, club, member["id"], 50_000)
    await issue_cards(client, club, value_rials=70_000)
    assert await ledger_problems(db) == []

    await execute(
        db,
        update(Account)
        .where(Account.member_id == member["id"], Account.asset == "rials")
        .values(posted=Account.posted + 1),
    )
    await execute(db, update(Account).where(Account.kind == "gift_card").values(posted=-5))

    problems = await ledger_problems(db)
    assert any("rials member" in p and "cached posted 50001" in p for p in problems), problems
    assert any("rials gift_card" in p and "cached posted -5" in p for p in problems), problems


async def test_a_club_created_before_wallets_gets_its_rials_system_accounts_on_upgrade(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    upgrade(url, "0011")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute(
            "INSERT INTO tenants (slug, name, money_display, language, created_at)"
            " VALUES ('old', 'Old club', 'toman', 'fa', '2026-01-01 00:00:00')"
        )
    upgrade(url)
    with sqlite3.connect(tmp_path / "old.db") as connection:
        rows = connection.execute(
            "SELECT kind, COUNT(*) FROM accounts WHERE asset = 'rials' AND member_id IS NULL GROUP BY kind"
        ).fetchall()
    assert sorted(rows) == [("adjustment", 16), ("expiry", 16), ("issuance", 16), ("redemption", 16)]
