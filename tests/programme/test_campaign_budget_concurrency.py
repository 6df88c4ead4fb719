"""A campaign budget holds when many tills sell at the same instant."""

from __future__ import annotations

import asyncio

import httpx
from campaign_helpers import bonus, new_campaign
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.models import Campaign
from support import Club, enrol, ledger_problems, sale_body


async def test_a_1000_point_budget_under_200_concurrent_qualifying_purchases_is_never_exceeded(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    campaign = await new_campaign(
        client, club, "۷ امتیاز هدیه تا سقف ۱۰۰۰", bonus(7, "gift"), budget_points=1000
    )
    other = await new_campaign(client, club, name_fa="بی‌سقف", rules=[bonus(1)])
    members = [await enrol(client, club) for _ in range(200)]

    async def buy(i: int) -> httpx.Response:
        return await client.post(
            "/api/v1/purchases",
            json=sale_body(members[i]["id"], 50_000, external_id=f"B-{i}"),
            headers=club.headers("cashier", **{"Idempotency-Key": f"budget-{i}"}),
        )

    responses = await asyncio.gather(*(buy(i) for i in range(200)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201][
        :3
    ]
    given = [c["points"] for r in responses for c in r.json()["campaigns"] if c["id"] == campaign["id"]]
    # 142 sales get 7 points, one gets the 6 left, the rest nothing: exactly the budget.
    assert sum(given) == 1000
    assert sorted(given, reverse=True)[:143] == [7] * 142 + [6]
    assert sum(c["points"] for r in responses for c in r.json()["campaigns"] if c["id"] == other["id"]) == 200
    read = await client.get(f"/api/v1/campaigns/{campaign['id']}", headers=club.headers())
    assert read.json()["points_awarded"] == 1000
    async with db.transaction() as session:
        assert await session.scalar(select(Campaign.budget_used).where(Campaign.id == campaign["id"])) == 1000
    assert await ledger_problems(db) == []
