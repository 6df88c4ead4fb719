"""A member's figures add up at every moment: ``total = available + pending + reserved``, also when
points have passed their date and the expiry job has not posted them yet (the balance API, the till,
the console and the portal all read the same ``points_balance``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from bashgah.core.db import Database
from bashgah.core.jalali import utcnow
from bashgah.ledger.tasks import expire_points
from bashgah.models import Account, PointLot
from scenarios import member_with
from support import Club, balance, bought, enrol, execute, give_points, ledger_problems, reserve, set_program


def adds_up(figures: dict[str, Any]) -> bool:
    return bool(figures["total"] == figures["available"] + figures["pending"] + figures["reserved"])


async def expire_first_lot(db: Database, member_id: int) -> None:
    async with db.transaction() as session:
        lot_id = await session.scalar(
            select(PointLot.id)
            .join(Account, Account.id == PointLot.account_id)
            .where(Account.member_id == member_id)
            .order_by(PointLot.id)
            .limit(1)
        )
    await execute(
        db, update(PointLot).where(PointLot.id == lot_id).values(expires_at=utcnow() - timedelta(hours=1))
    )


async def test_expired_points_leave_the_total_before_the_expiry_job_runs(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await member_with(client, club, 300)
    await expire_first_lot(db, member["id"])

    shown = await balance(client, club, member["id"])

    assert (shown["total"], shown["available"], shown["pending"], shown["reserved"]) == (0, 0, 0, 0)
    async with db.transaction() as session:
        assert await expire_points(session) == 300
    assert await balance(client, club, member["id"]) == shown  # the job changes nothing a member sees
    assert await ledger_problems(db) == []


async def test_available_pending_reserved_and_expired_points_add_up_everywhere(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, pending_days=14)
    member = await enrol(client, club)
    await give_points(client, club, member["id"], 300)  # to expire
    await give_points(client, club, member["id"], 200)
    await expire_first_lot(db, member["id"])
    assert (await reserve(client, club, member["id"], 50)).status_code == 201
    sale = await bought(client, club, member["id"], 400_000)  # 40 pending

    summary = await balance(client, club, member["id"])

    assert (summary["available"], summary["pending"], summary["reserved"]) == (150, 40, 50)
    assert summary["total"] == 240 and adds_up(summary)
    assert adds_up(sale["balance"]) and sale["balance"]["total"] == 240
    async with db.transaction() as session:
        await expire_points(session)
    assert await balance(client, club, member["id"]) == summary
    assert await ledger_problems(db) == []


async def test_the_summary_the_till_console_and_portal_read_leaves_expired_points_out(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from bashgah.auth.service import Principal
    from bashgah.points import service as member_points

    member = await member_with(client, club, 300)
    await give_points(client, club, member["id"], 120)
    await expire_first_lot(db, member["id"])
    async with db.transaction() as session:
        card = await member_points.summary(
            session, Principal(club.tenant_id, "manager", None, None), member["id"]
        )
    assert (card.total, card.available) == (120, 120)
