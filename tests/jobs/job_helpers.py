"""A club with some work waiting for every job, and a snapshot of everything the jobs may change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import jdatetime
from sqlalchemy import select, update

from bashgah.core.db import Database
from bashgah.core.jalali import TEHRAN
from bashgah.models import (
    Account,
    GiftCard,
    MemberScore,
    MemberTier,
    Notice,
    OccasionAward,
    PointLot,
    Reservation,
    TierChange,
    Transfer,
)
from bashgah.tiers import service as tiers
from occasions.occasion_helpers import LADDER, new_rule
from support import Club, bought, enrol, execute, give_points, reserve

#: What one run of each job does to :func:`busy_club` (holds released; scores count members scored).
ONCE = {"release": 1, "expire": 100, "expire_wallets": 50_000, "tiers": 1, "occasions": 1, "notices": 1}


async def _newest_lot_expires(db: Database, at: datetime) -> None:
    """The newest lot of points (or of wallet credit) now expires ``at``."""
    async with db.transaction() as session:
        newest = await session.scalar(select(PointLot.id).order_by(PointLot.id.desc()).limit(1))
        await session.execute(update(PointLot).where(PointLot.id == newest).values(expires_at=at))


async def busy_club(client: httpx.AsyncClient, club: Club, db: Database, now: datetime) -> None:
    """Work for every job at ``now``: a lapsed hold, an expired lot, a level to review, a birthday today,
    points expiring in 5 days, and purchases to score."""
    assert (
        await client.put("/api/v1/tiers", json=LADDER, headers=club.headers("manager"))
    ).status_code == 200
    await new_rule(client, club, "birthday", points=10)

    holder = await enrol(client, club)
    await give_points(client, club, holder["id"], 50)
    assert (await reserve(client, club, holder["id"], 20)).status_code == 201
    await execute(db, update(Reservation).values(expires_at=now - timedelta(minutes=1)))

    expiring = await enrol(client, club)
    await give_points(client, club, expiring["id"], 100)
    await _newest_lot_expires(db, now - timedelta(hours=1))

    # Wallet credit past its date (30,000) and a gift card past its date (20,000).
    topped = await client.post(
        f"/api/v1/members/{expiring['id']}/wallet/top-ups",
        json={"amount_rials": 30_000},
        headers=club.headers("cashier", **{"Idempotency-Key": f"jobs-top-up-{expiring['id']}"}),
    )
    assert topped.status_code == 201, topped.text
    await _newest_lot_expires(db, now - timedelta(hours=1))
    card = await client.post(
        "/api/v1/gift-cards", json={"value_rials": 20_000}, headers=club.headers("manager")
    )
    assert card.status_code == 201, card.text
    await execute(db, update(GiftCard).values(expires_at=now - timedelta(hours=1)))

    soon = await enrol(client, club)
    await give_points(client, club, soon["id"], 80)
    await _newest_lot_expires(db, now + timedelta(days=5))

    today = jdatetime.date.fromgregorian(date=now.astimezone(TEHRAN).date())
    await enrol(client, club, birth_date=f"1399/{today.month:02d}/{today.day:02d}")  # 1399 is a leap year

    reviewed = await enrol(client, club)  # gold by hand, without the spending: grace when the period ends
    async with db.transaction() as session:
        await tiers.assign(
            session, club.tenant_id, reviewed["id"], tiers.TierAssign(level="gold", reason="migrated"), "t"
        )
    await execute(
        db,
        update(MemberTier)
        .where(MemberTier.member_id == reviewed["id"])
        .values(review_at=now - timedelta(seconds=1)),
    )
    for _ in range(2):
        await bought(client, club, holder["id"], 2_000_000)


async def snapshot(db: Database) -> dict[str, Any]:
    """Every row the jobs write, without the moments they were written at."""
    queries = {
        "accounts": select(Account.id, Account.posted, Account.pending),
        "transfers": select(Transfer.id, Transfer.code, Transfer.amount, Transfer.debit_account_id),
        "lots": select(PointLot.id, PointLot.remaining),
        "gift_cards": select(GiftCard.id, GiftCard.status),
        "holds": select(Reservation.id, Reservation.status),
        "levels": select(
            MemberTier.member_id, MemberTier.level_id, MemberTier.review_at, MemberTier.grace_until
        ),
        "level_changes": select(TierChange.id, TierChange.kind),
        "awards": select(
            OccasionAward.id, OccasionAward.member_id, OccasionAward.jalali_year, OccasionAward.points
        ),
        "notices": select(Notice.id, Notice.member_id, Notice.ref, Notice.payload),
        "scores": select(MemberScore.member_id, MemberScore.rfm_group, MemberScore.churn_ratio),
    }
    async with db.transaction() as session:
        return {name: sorted(map(tuple, (await session.execute(q)).all())) for name, q in queries.items()}
