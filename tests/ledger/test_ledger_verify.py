"""``verify`` proves the sums after real work, and catches a tampered cache or lot — also from the CLI."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update

from bashgah.core.db import Database
from bashgah.models import Account, PointLot
from support import (
    Cli,
    Club,
    bought,
    enrol,
    execute,
    give_points,
    ledger_problems,
    make_club,
    refund,
    reserve,
    set_program,
)


async def busy_day(client: httpx.AsyncClient, club: Club) -> int:
    """Purchases, a redemption, a partial and a full refund, holds committed, cancelled and partly used."""
    member = await enrol(client, club)
    other = await enrol(client, club)
    await give_points(client, club, member["id"], 500)
    first = await bought(client, club, member["id"], 1_200_000, redeem_points=120)
    second = await bought(client, club, other["id"], 730_000)
    await refund(client, club, first["id"], amount_rials=400_000)
    await refund(client, club, second["id"])
    for points, action, body in ((50, "commit", None), (70, "cancel", None), (90, "commit", {"points": 33})):
        hold = (await reserve(client, club, member["id"], points)).json()
        await client.post(f"/api/v1/redemptions/{hold['id']}/{action}", json=body, headers=club.headers())
    await reserve(client, club, member["id"], 25)  # left open
    member_id: int = member["id"]
    return member_id


async def test_verify_is_clean_after_a_busy_day(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    await busy_day(client, club)
    await set_program(client, club, refund_policy="allow_negative")
    await busy_day(client, club)
    assert await ledger_problems(db) == []


async def test_verify_catches_a_tampered_cached_balance(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await busy_day(client, club)
    await execute(db, update(Account).where(Account.member_id == member_id).values(posted=Account.posted + 5))
    problems = await ledger_problems(db)
    assert any(f"member {member_id}" in p and "cached posted" in p for p in problems), problems


async def test_verify_catches_a_tampered_held_amount(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await busy_day(client, club)
    await execute(db, update(Account).where(Account.member_id == member_id).values(pending=0))
    problems = await ledger_problems(db)
    assert any(f"member {member_id}" in p and "cached pending" in p for p in problems), problems


async def test_verify_catches_a_tampered_lot(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    member_id = await busy_day(client, club)
    async with db.transaction() as session:
        account_id = await session.scalar(select(Account.id).where(Account.member_id == member_id))
        lot_id = await session.scalar(
            select(PointLot.id).where(PointLot.account_id == account_id, PointLot.remaining > 0).limit(1)
        )
    await execute(db, update(PointLot).where(PointLot.id == lot_id).values(remaining=PointLot.remaining - 1))
    problems = await ledger_problems(db)
    assert any(f"member {member_id}" in p and "lots hold" in p for p in problems), problems


async def test_verify_catches_a_tampered_system_account(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await busy_day(client, club)
    await execute(db, update(Account).where(Account.kind == "issuance").values(posted=Account.posted - 1))
    problems = await ledger_problems(db)
    assert any("issuance" in p and "cached posted" in p for p in problems), problems


async def test_the_cli_exits_0_on_a_clean_ledger_and_1_on_a_corrupted_one(
    client: httpx.AsyncClient, club: Club, db: Database, cli: Cli
) -> None:
    member_id = await busy_day(client, club)
    clean = await cli("ledger", "verify")
    assert clean.exit_code == 0, clean.output
    assert "ledger OK" in clean.output

    await execute(db, update(Account).where(Account.member_id == member_id).values(posted=Account.posted + 1))
    broken = await cli("ledger", "verify")
    assert broken.exit_code == 1, broken.output
    assert "MISMATCH" in broken.output
    assert "ledger BROKEN" in broken.output


async def test_the_cli_can_verify_one_tenant(
    client: httpx.AsyncClient, club: Club, db: Database, cli: Cli
) -> None:
    other = await make_club(db, "beta")
    await busy_day(client, other)
    member_id = await busy_day(client, club)
    await execute(db, update(Account).where(Account.member_id == member_id).values(posted=Account.posted + 1))
    theirs = await cli("ledger", "verify", "--tenant", "beta")
    assert theirs.exit_code == 0, theirs.output
    mine = await cli("ledger", "verify", "--tenant", "alpha")
    assert mine.exit_code == 1, mine.output
