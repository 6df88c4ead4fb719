"""`POST /api/v1/events`: points for what members do besides buying."""

from __future__ import annotations

from typing import Any

import httpx
from campaign_helpers import event, new_campaign

from bashgah.core.db import Database
from support import Club, balance, enrol, error_code, ledger_problems

WELCOME_ONCE = {
    "name_fa": "هدیهٔ خوش‌آمد",
    "name_en": "Welcome bonus",
    "limits": [{"per": "campaign", "awards": 1}],
    "rules": [
        {
            "key": "welcome",
            "trigger": "event",
            "event": "sign_up",
            "effects": [{"type": "fixed_bonus", "points": 20_000}],
        }
    ],
}


async def test_a_20000_point_welcome_bonus_on_sign_up_once(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    campaign = await new_campaign(client, club, **WELCOME_ONCE)
    member = await enrol(client, club)
    first = await event(client, club, member["id"], "sign_up", key="signup-1")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["name"], body["points_bonus"], body["balance"]["available"]) == ("sign_up", 20_000, 20_000)
    assert body["campaigns"] == [
        {
            "id": campaign["id"],
            "version": 1,
            "name": "هدیهٔ خوش‌آمد",
            "points": 20_000,
            "rules": ["welcome"],
            "cashback_rials": 0,
        }
    ]
    replay = await event(client, club, member["id"], "sign_up", key="signup-1")
    assert replay.json() == body and replay.headers.get("Idempotent-Replayed") == "true"
    again = await event(client, club, member["id"], "sign_up", key="signup-2")
    assert again.status_code == 201 and again.json()["points_bonus"] == 0
    assert (await balance(client, club, member["id"]))["total"] == 20_000
    assert await ledger_problems(db) == []


async def test_custom_events_reward_by_their_own_rules_and_members_conditions(
    client: httpx.AsyncClient, club: Club
) -> None:
    await new_campaign(
        client,
        club,
        name_fa="نظرسنجی و بازدید",
        rules=[
            {
                "key": "survey",
                "trigger": "event",
                "event": "survey_answered",
                "effects": [{"type": "fixed_bonus", "points": 50}],
            },
            {
                "key": "vip-visit",
                "trigger": "event",
                "event": "store_visit_with_friend",
                "conditions": [{"type": "member_tags", "any_of": ["vip"]}],
                "effects": [{"type": "fixed_bonus", "points": 30}],
            },
        ],
    )
    vip, other = await enrol(client, club, tags=["vip"]), await enrol(client, club)
    survey = await event(
        client, club, other["id"], "survey_answered", properties={"survey": "q3", "score": 9}
    )
    visit_vip = await event(client, club, vip["id"], "store_visit_with_friend")
    visit_other = await event(client, club, other["id"], "store_visit_with_friend")
    review = await event(client, club, vip["id"], "review_written")
    assert [r.json()["points_bonus"] for r in (survey, visit_vip, visit_other, review)] == [50, 30, 0, 0]


async def test_events_need_an_idempotency_key_and_a_valid_name(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    no_key = await client.post(
        "/api/v1/events", json={"member": {"id": member["id"]}, "name": "check_in"}, headers=club.headers()
    )
    assert no_key.status_code == 400 and error_code(no_key) == "idempotency_key_required"
    bad = await event(client, club, member["id"], "Check In!")
    assert bad.status_code == 422
    unknown = await event(client, club, 999_999, "check_in")
    assert unknown.status_code == 404
