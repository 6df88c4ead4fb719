"""Campaign bonuses show in the member's statement in words and count in lifetime earnings."""

from __future__ import annotations

import httpx
from campaign_helpers import bonus, new_campaign

from scenarios import till_sale
from support import Club, balance, enrol


async def test_a_bonus_is_described_in_the_statement_and_counts_as_earned(
    client: httpx.AsyncClient, club: Club
) -> None:
    await new_campaign(
        client, club, "هدیهٔ هر خرید", bonus(70, "gift", conditions=[]), name_en="A gift on every purchase"
    )
    member = await enrol(client, club)
    bought = await till_sale(client, club, member["id"], 1_000_000)
    assert (bought["points_earned"], bought["points_bonus"]) == (100, 70)

    lines = (
        await client.get(
            f"/api/v1/members/{member['id']}/ledger", headers=club.headers(**{"Accept-Language": "en"})
        )
    ).json()["items"]
    assert {line["code"]: line["description"] for line in lines} == {
        "bonus": "Campaign bonus",
        "earn": "Points earned on a purchase",
    }
    persian = (await client.get(f"/api/v1/members/{member['id']}/ledger", headers=club.headers())).json()[
        "items"
    ]
    assert "امتیاز جشنواره" in [line["description"] for line in persian]
    assert (await balance(client, club, member["id"]))["lifetime_earned"] == 170
