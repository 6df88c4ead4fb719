"""Stamp cards as a café owner describes them: "buy 9 coffees, the 10th is free"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from stamp_helpers import card_and_member, cards_of, coffees, new_card, sell_coffee

from bashgah.core.db import Database
from bashgah.models import MemberStampCard
from scenarios import returned, till_sale
from support import Club, balance, enrol, ledger_problems, sale_body

THURSDAY = "2026-11-26T10:30:00+03:30"
WEDNESDAY = "2026-11-25T10:30:00+03:30"


async def test_buy_9_coffees_the_10th_is_free(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    card = await new_card(client, club)
    sara = (await enrol(client, club))["id"]
    for _ in range(9):
        sale = await sell_coffee(client, club, sara)
        assert sale["stamps"][0]["completed"] == []
    [progress] = await cards_of(client, club, sara)
    assert (progress["stamps"], progress["stamps_needed"], progress["completed"]) == (9, 10, [])
    assert [(s["stamps"], s["stamps_needed"]) for s in (await balance(client, club, sara))["stamps"]] == [
        (9, 10)
    ]

    tenth = await sell_coffee(client, club, sara)

    [earned] = tenth["stamps"]
    assert (earned["card_id"], earned["stamps"], earned["progress"]) == (card["id"], 1, 0)
    [done] = earned["completed"]
    assert done["reward_kind"] == "free_product" and done["reward_code"]
    rewards = (await client.get(f"/api/v1/members/{sara}/rewards", headers=club.headers())).json()["items"]
    assert [(r["code"], r["sku"], r["status"], r["points"]) for r in rewards] == [
        (done["reward_code"], "CF-1", "issued", 0)
    ]
    used = await client.post(f"/api/v1/reward-instances/{done['reward_code']}/use", headers=club.headers())
    assert used.status_code == 200, used.text
    [progress] = await cards_of(client, club, sara)
    assert progress["stamps"] == 0
    assert [(c["reward_code"], c["reward_status"]) for c in progress["completed"]] == [
        (done["reward_code"], "used")
    ]
    # The free coffee is not in the catalogue members buy from with points.
    assert (await client.get(f"/api/v1/rewards?member_id={sara}", headers=club.headers())).json()[
        "items"
    ] == []
    assert await ledger_problems(db) == []


async def test_a_basket_of_23_coffees_fills_two_cards_and_starts_a_third(
    client: httpx.AsyncClient, club: Club, holder: int
) -> None:
    sale = await sell_coffee(client, club, holder, 23)

    [earned] = sale["stamps"]
    assert (earned["stamps"], earned["progress"], len(earned["completed"])) == (23, 3, 2)
    codes = {c["reward_code"] for c in earned["completed"]}
    assert len(codes) == 2
    [progress] = await cards_of(client, club, holder)
    assert progress["stamps"] == 3 and {c["reward_code"] for c in progress["completed"]} == codes


async def test_at_most_3_stamps_a_purchase_and_cakes_earn_none(client: httpx.AsyncClient, club: Club) -> None:
    member = await card_and_member(
        client, club, earn={"per": "unit", "items": {"skus": ["CF-1"]}, "max_per_purchase": 3}
    )
    cake = [{"sku": "CK-1", "category": "cake", "quantity": 2, "unit_price_rials": 150_000}]

    assert (await till_sale(client, club, member, 300_000, items=cake))["stamps"] == []
    sale = await till_sale(client, club, member, 800_000, items=coffees(5) + cake)

    assert sale["stamps"][0]["stamps"] == 3


async def test_any_visit_over_200000_rials_earns_a_stamp(client: httpx.AsyncClient, club: Club) -> None:
    await new_card(
        client,
        club,
        name_fa="کارت مراجعه",
        name_en="Visit card",
        stamps_needed=5,
        earn={"per": "visit", "min_total_rials": 200_000},
        reward={"kind": "points", "points": 500},
    )
    member = (await enrol(client, club))["id"]

    assert (await till_sale(client, club, member, 150_000))["stamps"] == []
    big = await till_sale(client, club, member, 250_000, items=coffees(3, 80_000))

    assert [(s["name"], s["stamps"], s["progress"]) for s in big["stamps"]] == [("کارت مراجعه", 1, 1)]
    [progress] = await cards_of(client, club, member, "fa")
    assert (progress["name"], progress["stamps"], progress["stamps_needed"]) == ("کارت مراجعه", 1, 5)


async def test_the_fifth_visit_gives_500_points(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    await new_card(
        client, club, stamps_needed=5, earn={"per": "visit"}, reward={"kind": "points", "points": 500}
    )
    member = (await enrol(client, club))["id"]
    for _ in range(4):
        await till_sale(client, club, member, 100_000)
    before = await balance(client, club, member)

    fifth = await till_sale(client, club, member, 100_000)

    [done] = fifth["stamps"][0]["completed"]
    assert (done["reward_kind"], done["reward_points"], done["reward_code"]) == ("points", 500, None)
    after = await balance(client, club, member)
    earned = fifth["points_earned"]
    assert after["available"] + after["pending"] == before["available"] + before["pending"] + earned + 500
    assert await ledger_problems(db) == []


async def test_a_return_removes_the_stamp(
    client: httpx.AsyncClient, club: Club, db: Database, holder: int
) -> None:
    two = await sell_coffee(client, club, holder, 2)
    cake = [{"sku": "CK-1", "category": "cake", "quantity": 1, "unit_price_rials": 200_000}]
    mixed = await till_sale(client, club, holder, 500_000, items=coffees(3) + cake)
    assert (await cards_of(client, club, holder))[0]["stamps"] == 5

    cake_back = await returned(client, club, mixed["id"], items=[{"sku": "CK-1", "quantity": 1}])
    assert cake_back["stamps"] == []  # a returned cake takes no coffee stamp
    one_back = await returned(client, club, mixed["id"], items=[{"sku": "CF-1", "quantity": 1}])
    assert [(s["stamps"], s["progress"]) for s in one_back["stamps"]] == [(1, 4)]
    whole = await returned(client, club, two["id"])
    assert [(s["stamps"], s["progress"], s["unrecovered"]) for s in whole["stamps"]] == [(2, 2, 0)]
    rest = await returned(client, club, mixed["id"])
    assert [(s["stamps"], s["progress"]) for s in rest["stamps"]] == [(2, 0)]
    assert (await cards_of(client, club, holder))[0]["stamps"] == 0
    assert await ledger_problems(db) == []


async def test_a_return_that_undoes_a_completed_card_cancels_the_unused_free_coffee(
    client: httpx.AsyncClient, club: Club, db: Database, holder: int
) -> None:
    await sell_coffee(client, club, holder, 9)
    tenth = await sell_coffee(client, club, holder)
    code = tenth["stamps"][0]["completed"][0]["reward_code"]

    back = await returned(client, club, tenth["id"])

    assert [(s["stamps"], s["cancelled_rewards"], s["progress"]) for s in back["stamps"]] == [(1, [code], 9)]
    [progress] = await cards_of(client, club, holder)
    assert (progress["stamps"], progress["completed"]) == (9, [])
    refused = await client.post(f"/api/v1/reward-instances/{code}/use", headers=club.headers())
    assert refused.status_code == 409
    # The next coffee completes the card again, with a new free coffee.
    again = await sell_coffee(client, club, holder)
    assert again["stamps"][0]["completed"][0]["reward_code"] not in ("", code)
    assert await ledger_problems(db) == []


async def test_a_return_after_the_free_coffee_was_drunk_takes_what_the_open_card_has(
    client: httpx.AsyncClient, club: Club, holder: int
) -> None:
    eleven = await sell_coffee(client, club, holder, 11)
    code = eleven["stamps"][0]["completed"][0]["reward_code"]
    assert (
        await client.post(f"/api/v1/reward-instances/{code}/use", headers=club.headers())
    ).status_code == 200

    back = await returned(client, club, eleven["id"])

    # One stamp came off the open card; the ten that made the drunk coffee cannot be taken back.
    assert [(s["stamps"], s["unrecovered"], s["progress"]) for s in back["stamps"]] == [(1, 10, 0)]
    [progress] = await cards_of(client, club, holder)
    assert progress["stamps"] == 0 and progress["completed"][0]["reward_status"] == "used"


async def test_double_stamps_on_thursdays_via_a_campaign(client: httpx.AsyncClient, club: Club) -> None:
    card = await new_card(client, club)
    response = await client.post(
        "/api/v1/campaigns",
        json={
            "name_fa": "پنجشنبه‌ها مهر دوبرابر",
            "schedule": {"weekdays": ["thursday"]},
            "rules": [
                {
                    "key": "double",
                    "effects": [
                        {"type": "stamps", "card_id": card["id"], "stamps": 1, "per_stamp_earned": True}
                    ],
                }
            ],
        },
        headers=club.headers("manager"),
    )
    assert response.status_code == 201, response.text
    member = (await enrol(client, club))["id"]

    wednesday = await till_sale(client, club, member, 200_000, items=coffees(2), occurred_at=WEDNESDAY)
    thursday = await till_sale(client, club, member, 200_000, items=coffees(2), occurred_at=THURSDAY)

    assert wednesday["stamps"][0]["stamps"] == 2
    assert (thursday["stamps"][0]["stamps"], thursday["stamps"][0]["progress"]) == (4, 6)
    # Returning the Thursday coffees takes the campaign's stamps back too.
    back = await returned(client, club, thursday["id"])
    assert back["stamps"][0]["stamps"] == 4


async def test_a_check_in_event_gives_a_stamp(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    card = await new_card(
        client,
        club,
        name_en="Gym visits",
        stamps_needed=2,
        earn={"per": "visit"},
        reward={"kind": "points", "points": 300},
    )
    response = await client.post(
        "/api/v1/campaigns",
        json={
            "name_fa": "مهر ورود",
            "rules": [
                {
                    "key": "check-in",
                    "trigger": "event",
                    "event": "check_in",
                    "effects": [{"type": "stamps", "card_id": card["id"], "stamps": 1}],
                }
            ],
        },
        headers=club.headers("manager"),
    )
    assert response.status_code == 201, response.text
    member = (await enrol(client, club))["id"]

    results = []
    for n in range(2):
        event = await client.post(
            "/api/v1/events",
            json={"member": {"id": member}, "name": "check_in"},
            headers=club.headers("cashier", **{"Idempotency-Key": f"in-{n}", "Accept-Language": "en"}),
        )
        assert event.status_code == 201, event.text
        results.append(event.json())

    assert [(s["name"], s["stamps"], s["progress"]) for s in results[0]["stamps"]] == [("Gym visits", 1, 1)]
    assert results[1]["stamps"][0]["completed"][0]["reward_points"] == 300
    assert (await balance(client, club, member))["available"] == 300  # an event has nothing to return
    assert await ledger_problems(db) == []


async def test_examine_shows_the_stamps_a_sale_would_give(
    client: httpx.AsyncClient, club: Club, holder: int
) -> None:
    await sell_coffee(client, club, holder, 8)

    response = await client.post(
        "/api/v1/purchases/examine",
        json=sale_body(holder, 300_000, external_id="X", items=coffees(3)),
        headers=club.headers("cashier", **{"Accept-Language": "en"}),
    )

    assert response.status_code == 200, response.text
    assert [
        (s["name"], s["stamps"], s["progress_before"], s["would_complete"]) for s in response.json()["stamps"]
    ] == [("Coffee card", 3, 8, 1)]
    assert (await cards_of(client, club, holder))[0]["stamps"] == 8  # nothing written


async def test_editing_a_card_changes_new_cards_only(client: httpx.AsyncClient, club: Club) -> None:
    card = await new_card(client, club)
    member = (await enrol(client, club))["id"]
    await sell_coffee(client, club, member, 4)

    edited = await client.post(
        f"/api/v1/stamp-cards/{card['id']}/versions",
        json={**card["definition"], "stamps_needed": 6},
        headers=club.headers("manager"),
    )

    assert edited.status_code == 201, edited.text
    assert edited.json()["version"] == 2
    sale = await sell_coffee(client, club, member, 7)
    # The open card still needs 10: 4 + 6 complete it; the next card needs 6 and has 1.
    [earned] = sale["stamps"]
    assert (len(earned["completed"]), earned["progress"], earned["stamps_needed"]) == (1, 1, 6)


async def test_a_retired_card_gives_no_more_stamps_but_keeps_the_members_progress(
    client: httpx.AsyncClient, club: Club
) -> None:
    card = await new_card(client, club)
    member = (await enrol(client, club))["id"]
    await sell_coffee(client, club, member, 3)

    retired = await client.delete(f"/api/v1/stamp-cards/{card['id']}", headers=club.headers("manager"))

    assert retired.status_code == 204 and retired.content == b""
    shown = await client.get(f"/api/v1/stamp-cards/{card['id']}", headers=club.headers("manager"))
    assert shown.json()["definition"]["active"] is False
    assert (await sell_coffee(client, club, member))["stamps"] == []
    [progress] = await cards_of(client, club, member)
    assert (progress["stamps"], progress["active"]) == (3, False)


async def test_a_cashier_cannot_make_a_stamp_card(client: httpx.AsyncClient, club: Club) -> None:
    response = await client.post(
        "/api/v1/stamp-cards",
        json={
            "name_fa": "x",
            "name_en": "x",
            "stamps_needed": 3,
            "earn": {},
            "reward": {"kind": "points", "points": 1},
        },
        headers=club.headers("cashier"),
    )
    assert response.status_code == 403
    assert (await client.get("/api/v1/stamp-cards", headers=club.headers())).json()["items"] == []


async def test_a_card_left_unfinished_for_30_days_lapses_and_the_next_coffee_starts_a_new_one(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await card_and_member(client, club, card_expires_days=30)
    first = await sell_coffee(client, club, member, 3)
    [progress] = await cards_of(client, club, member)
    assert progress["stamps"] == 3 and progress["expires_at"] is not None
    async with db.transaction() as session:  # 31 days pass
        await session.execute(
            update(MemberStampCard)
            .where(MemberStampCard.member_id == member)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )

    assert (await cards_of(client, club, member))[0]["stamps"] == 0
    later = await sell_coffee(client, club, member)

    assert (later["stamps"][0]["progress"], first["stamps"][0]["progress"]) == (1, 3)
    assert (await balance(client, club, member))["stamps"][0]["stamps"] == 1
    assert await ledger_problems(db) == []


async def test_a_till_that_sends_the_same_sale_twice_stamps_it_once(
    client: httpx.AsyncClient, club: Club, holder: int
) -> None:
    body = sale_body(holder, 200_000, external_id="TWICE", items=coffees(2))
    headers = club.headers("cashier", **{"Idempotency-Key": "twice"})

    first = await client.post("/api/v1/purchases", json=body, headers=headers)
    again = await client.post("/api/v1/purchases", json=body, headers=headers)

    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["stamps"] == first.json()["stamps"]
    assert (await cards_of(client, club, holder))[0]["stamps"] == 2


async def test_verify_notices_stamps_that_went_missing(
    client: httpx.AsyncClient, club: Club, db: Database, holder: int
) -> None:
    await sell_coffee(client, club, holder, 4)
    assert await ledger_problems(db) == []
    async with db.transaction() as session:
        await session.execute(update(MemberStampCard).values(stamps=3))

    assert any("3 stamps on cards ≠ 4 given" in p for p in await ledger_problems(db))


async def test_a_return_that_undoes_a_card_of_500_points_takes_them_back_unless_they_were_spent(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await new_card(
        client, club, stamps_needed=2, earn={"per": "visit"}, reward={"kind": "points", "points": 500}
    )
    kept, spent = (await enrol(client, club))["id"], (await enrol(client, club))["id"]
    for member in (kept, spent):
        await till_sale(client, club, member, 100_000)
    second = {m: await till_sale(client, club, m, 100_000) for m in (kept, spent)}
    assert (await balance(client, club, kept))["total"] == 520
    meal = await client.post(
        "/api/v1/rewards",
        json={"name_fa": "غذا", "name_en": "Meal", "kind": "free_shipping", "cost_points": 500},
        headers=club.headers("manager"),
    )
    bought = await client.post(
        f"/api/v1/members/{spent}/rewards",
        json={"reward_id": meal.json()["id"]},
        headers=club.headers("cashier", **{"Idempotency-Key": "meal"}),
    )
    assert bought.status_code == 201, bought.text  # the 500 points paid for a meal

    undone = await returned(client, club, second[kept]["id"])
    too_late = await returned(client, club, second[spent]["id"])

    assert [(s["stamps"], s["unrecovered"], s["progress"]) for s in undone["stamps"]] == [(1, 0, 1)]
    assert (await balance(client, club, kept))["total"] == 10
    [progress] = await cards_of(client, club, kept)
    assert (progress["stamps"], progress["completed"]) == (1, [])
    assert [(s["stamps"], s["unrecovered"]) for s in too_late["stamps"]] == [(0, 1)]
    assert [c["reward_points"] for c in (await cards_of(client, club, spent))[0]["completed"]] == [500]
    assert await ledger_problems(db) == []
