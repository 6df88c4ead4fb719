"""A club owner who writes a stamp card wrong is told why, in Persian or English, and nothing is saved."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from stamp_helpers import COFFEE_CARD, card_and_member, new_card

from bashgah.core.db import Database
from support import Club, assert_refused, enrol, ledger_problems, make_club, sale_body


@pytest.mark.parametrize(
    ("change", "field", "english", "persian"),
    [
        ({"earn": {"per": "unit"}}, "earn.items", "a stamp per unit needs the items", "کالا یا دستهٔ مشمول"),
        ({"reward": {"kind": "free_product"}}, "reward.sku", "a free product needs its sku", "کد کالا"),
        ({"reward": {"kind": "points"}}, "reward.points", "how many points", "امتیاز جایزه"),
        (
            {"reward": {"kind": "reward", "reward_id": 999}},
            "reward.reward_id",
            "no such reward",
            "در کاتالوگ نیست",
        ),
        (
            {"valid_from": "2026-12-01T00:00:00+03:30", "valid_until": "2026-11-01T00:00:00+03:30"},
            "valid_until",
            "must be after valid_from",
            "بعد از شروع",
        ),
    ],
)
async def test_a_card_that_cannot_work_is_refused_with_the_reason(
    client: httpx.AsyncClient, club: Club, change: dict[str, Any], field: str, english: str, persian: str
) -> None:
    body = {**COFFEE_CARD, **change}
    in_english = await client.post(
        "/api/v1/stamp-cards", json=body, headers=club.headers("manager", **{"Accept-Language": "en"})
    )
    in_persian = await client.post("/api/v1/stamp-cards", json=body, headers=club.headers("manager"))

    assert_refused(in_english, 422, "invalid_input")
    assert field in in_english.json()["error"]["message"] and english in in_english.json()["error"]["message"]
    assert persian in in_persian.json()["error"]["message"]
    assert (await client.get("/api/v1/stamp-cards", headers=club.headers())).json()["items"] == []


async def test_a_partner_voucher_cannot_be_a_stamp_cards_reward(
    client: httpx.AsyncClient, club: Club
) -> None:
    voucher = await client.post(
        "/api/v1/rewards",
        json={"name_fa": "بلیت", "name_en": "Ticket", "kind": "partner_voucher", "cost_points": 10},
        headers=club.headers("manager"),
    )
    response = await client.post(
        "/api/v1/stamp-cards",
        json={**COFFEE_CARD, "reward": {"kind": "reward", "reward_id": voucher.json()["id"]}},
        headers=club.headers("manager", **{"Accept-Language": "en"}),
    )
    assert response.status_code == 422 and "partner voucher" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "change",
    [{"stamps_needed": 0}, {"earn": {"per": "week"}}, {"reward": {"kind": "cash"}}, {"colour": "red"}],
)
async def test_a_malformed_card_is_a_validation_error(
    client: httpx.AsyncClient, club: Club, change: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/stamp-cards", json={**COFFEE_CARD, **change}, headers=club.headers("manager")
    )
    assert_refused(response, 422, "validation_error")


async def test_a_campaign_cannot_give_stamps_on_a_card_the_club_does_not_have(
    client: httpx.AsyncClient, club: Club
) -> None:
    response = await client.post(
        "/api/v1/campaigns",
        json={
            "name_fa": "مهر اضافه",
            "rules": [{"key": "r", "effects": [{"type": "stamps", "card_id": 404, "stamps": 1}]}],
        },
        headers=club.headers("manager", **{"Accept-Language": "en"}),
    )
    assert_refused(response, 422, "invalid_input")
    assert "no stamp card 404" in response.json()["error"]["message"]


async def test_a_catalogue_reward_on_a_full_card_costs_the_member_no_points(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    mug = await client.post(
        "/api/v1/rewards",
        json={"name_fa": "ماگ", "name_en": "Mug", "kind": "physical_gift", "cost_points": 900, "stock": 1},
        headers=club.headers("manager"),
    )
    member = await card_and_member(
        client, club, stamps_needed=2, reward={"kind": "reward", "reward_id": mug.json()["id"]}
    )

    sale = await client.post(
        "/api/v1/purchases",
        json=sale_body(
            member,
            600_000,
            external_id="MUG-1",
            items=[{"sku": "CF-1", "category": "coffee", "quantity": 6, "unit_price_rials": 100_000}],
        ),
        headers=club.headers("cashier", **{"Idempotency-Key": "mug-1"}),
    )

    assert sale.status_code == 201, sale.text
    completed = sale.json()["stamps"][0]["completed"]
    # Three full cards, one mug in stock: the club promised all three, so none is refused.
    assert [c["reward_kind"] for c in completed] == ["physical_gift"] * 3
    assert (await client.get(f"/api/v1/rewards/{mug.json()['id']}", headers=club.headers())).json()[
        "stock"
    ] == 0
    assert sale.json()["balance"]["total"] == sale.json()["points_earned"]  # nothing was spent
    rewards = (await client.get(f"/api/v1/members/{member}/rewards", headers=club.headers())).json()["items"]
    assert [(r["reward_name"], r["points"]) for r in rewards] == [("ماگ", 0)] * 3
    assert await ledger_problems(db) == []


async def test_another_club_neither_sees_nor_changes_a_clubs_stamp_cards(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    other = await make_club(db, "other-cafe")
    card = await new_card(client, club)
    member = (await enrol(client, club))["id"]

    assert (await client.get(f"/api/v1/stamp-cards/{card['id']}", headers=other.headers())).status_code == 404
    edit = await client.post(
        f"/api/v1/stamp-cards/{card['id']}/versions", json=COFFEE_CARD, headers=other.headers("manager")
    )
    assert edit.status_code == 404
    # The PUT it replaces answers until 0.3, the same way.
    old = await client.put(
        f"/api/v1/stamp-cards/{card['id']}", json=COFFEE_CARD, headers=other.headers("manager")
    )
    assert old.status_code == 404
    assert (
        await client.get(f"/api/v1/members/{member}/stamp-cards", headers=other.headers())
    ).status_code == 404
    assert (await client.get("/api/v1/stamp-cards", headers=other.headers())).json()["items"] == []
