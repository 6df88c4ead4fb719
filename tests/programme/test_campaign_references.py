"""Everything a campaign (or a stamp card, a yearly gift, a reward, a static segment) names must belong to
the same club: another club's id, or one that does not exist, is refused with a clear 422 and nothing is
saved."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from campaign_helpers import bonus
from sqlalchemy import func, select

from bashgah.core.db import Database
from bashgah.models import Campaign
from scenarios import new_batch, new_reward, ok
from support import Club, enrol, error_code, make_club

RULE: dict[str, Any] = bonus(10, "main", conditions=[])


def card(reward: dict[str, Any]) -> dict[str, Any]:
    """A stamp card for visits giving ``reward`` when full."""
    return {
        "name_fa": "کارت",
        "name_en": "Card",
        "stamps_needed": 5,
        "earn": {"per": "visit"},
        "reward": reward,
    }


def campaign(*conditions: dict[str, Any], effects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    rule = {**RULE, "conditions": list(conditions), "effects": effects or RULE["effects"]}
    return {"name_fa": "کمپین", "rules": [rule]}


@pytest.fixture
async def other(db: Database) -> Club:
    return await make_club(db, "neighbour")


async def _post(client: httpx.AsyncClient, club: Club, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(path, json=body, headers=club.headers("manager", **{"Accept-Language": "en"}))


async def _their_segment(client: httpx.AsyncClient, other: Club) -> int:
    body = {"name": "theirs", "definition": {"type": "status", "status": "active"}}
    return int((await ok(client, other, "/api/v1/segments", body))["id"])


async def _their_reward(client: httpx.AsyncClient, other: Club) -> int:
    return int((await new_reward(client, other))["id"])


async def _campaigns(db: Database, club: Club) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(select(func.count(Campaign.id)).where(Campaign.tenant_id == club.tenant_id))
            or 0
        )


async def test_a_campaign_cannot_target_another_clubs_segment(
    db: Database, client: httpx.AsyncClient, club: Club, other: Club
) -> None:
    theirs = await _their_segment(client, other)
    refused = await _post(
        client, club, "/api/v1/campaigns", campaign({"type": "segment", "segments": [theirs]})
    )
    assert refused.status_code == 422, refused.text
    assert error_code(refused) == "invalid_input"
    assert f"no segment {theirs}" in refused.json()["error"]["message"]
    in_persian = await client.post(
        "/api/v1/campaigns",
        json=campaign({"type": "segment", "segments": [theirs]}),
        headers=club.headers("manager"),
    )
    assert in_persian.status_code == 422 and "وجود ندارد" in in_persian.json()["error"]["message"]
    assert await _campaigns(db, club) == 0


async def test_an_edited_campaign_cannot_be_pointed_at_another_clubs_segment_either(
    db: Database, client: httpx.AsyncClient, club: Club, other: Club
) -> None:
    ours = await _their_segment(client, club)
    made = await _post(client, club, "/api/v1/campaigns", campaign({"type": "segment", "segments": [ours]}))
    assert made.status_code == 201, made.text
    theirs = await _their_segment(client, other)
    edited = await client.post(
        f"/api/v1/campaigns/{made.json()['id']}/versions",
        json=campaign({"type": "segment", "segments": [ours, theirs]}),
        headers=club.headers("manager", **{"Accept-Language": "en"}),
    )
    assert edited.status_code == 422, edited.text
    assert (await client.get(f"/api/v1/campaigns/{made.json()['id']}", headers=club.headers())).json()[
        "version"
    ] == 1


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ({"type": "segment", "segments": [987654]}, "no segment 987654"),
        ({"type": "tier", "levels": ["platinum"]}, "no tier level platinum"),
        ({"type": "branch", "branches": ["nowhere"]}, "no branch nowhere"),
    ],
)
async def test_a_campaign_naming_a_segment_level_or_branch_that_does_not_exist_is_refused(
    db: Database, client: httpx.AsyncClient, club: Club, condition: dict[str, Any], says: str
) -> None:
    refused = await _post(client, club, "/api/v1/campaigns", campaign(condition))
    assert refused.status_code == 422, refused.text
    assert says in refused.json()["error"]["message"]
    assert await _campaigns(db, club) == 0


async def test_a_campaign_cannot_hand_out_another_clubs_reward_coupons_or_stamps(
    client: httpx.AsyncClient, club: Club, other: Club
) -> None:
    reward = await _their_reward(client, other)
    batch = await new_batch(client, other, name="x", discount_value=1000, count=2)
    their_card = await ok(client, other, "/api/v1/stamp-cards", card({"kind": "points", "points": 10}))
    for effect in (
        {"type": "issue_reward", "reward_id": reward},
        {"type": "issue_coupon", "batch_id": batch["id"]},
        {"type": "stamps", "card_id": their_card["id"], "stamps": 1},
    ):
        refused = await _post(client, club, "/api/v1/campaigns", campaign(effects=[effect]))
        assert refused.status_code == 422, (effect, refused.text)


async def test_stamp_cards_and_yearly_gifts_cannot_give_another_clubs_reward(
    client: httpx.AsyncClient, club: Club, other: Club
) -> None:
    reward = await _their_reward(client, other)
    refused = await _post(client, club, "/api/v1/stamp-cards", card({"kind": "reward", "reward_id": reward}))
    assert refused.status_code == 422, refused.text
    gift = await _post(
        client,
        club,
        "/api/v1/occasions",
        {"kind": "birthday", "name_fa": "تولد", "name_en": "Birthday", "reward_id": reward},
    )
    assert gift.status_code == 422, gift.text


async def test_a_reward_for_a_level_the_club_does_not_have_is_refused(
    client: httpx.AsyncClient, club: Club
) -> None:
    refused = await _post(
        client,
        club,
        "/api/v1/rewards",
        {"name_fa": "ج", "name_en": "R", "kind": "free_shipping", "cost_points": 100, "tiers": ["platinum"]},
    )
    assert refused.status_code == 422, refused.text


async def test_a_static_segment_cannot_take_another_clubs_member(
    client: httpx.AsyncClient, club: Club, other: Club
) -> None:
    stranger = await enrol(client, other)
    made = await _post(client, club, "/api/v1/segments", {"name": "hand-picked", "kind": "static"})
    assert made.status_code == 201, made.text
    refused = await _post(
        client, club, f"/api/v1/segments/{made.json()['id']}/members", {"member_ids": [stranger["id"]]}
    )
    assert refused.status_code == 422, refused.text
