"""Gift cards: issued with a value in rials, checked and spent at the till, loaded into a wallet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from wallet_helpers import card, issue_cards, paid, pay, wallet_of

from bashgah.core.db import Database
from bashgah.coupons.rules import ALPHABET
from bashgah.giftcards.tasks import expire_cards
from bashgah.models import GiftCard
from support import Club, assert_refused, enrol, execute, ledger_problems, refund, sale_body


async def test_a_gift_card_of_1000000_is_spent_in_three_visits(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    [issued] = await issue_cards(client, club, value_rials=1_000_000, code="yalda-1405")
    code = issued["code"]
    assert (code, issued["balance_rials"], issued["status"]) == ("YALDA1405", 1_000_000, "active")
    member = await enrol(client, club)

    first = await paid(client, club, member["id"], 400_000, gift_card=code, gift_card_rials=400_000)
    assert (await card(client, club, "yalda-1405"))["balance_rials"] == 600_000
    second = await paid(client, club, member["id"], 350_000, gift_card=code, gift_card_rials=350_000)
    # Third visit: the till sends the card without an amount and it pays what it can.
    third = await paid(client, club, member["id"], 500_000, gift_card=code)

    assert [s["gift_card_rials"] for s in (first, second, third)] == [400_000, 350_000, 250_000]
    # Points only on what was paid in cash: 250,000 on the third visit.
    assert [s["points_earned"] for s in (first, second, third)] == [0, 0, 25]
    after = await card(client, club, code)
    assert (after["balance_rials"], after["status"]) == (0, "used_up")
    fourth = await pay(client, club, member["id"], 100_000, gift_card=code)
    assert_refused(fourth, 409, "gift_card_closed")
    assert await ledger_problems(db) == []


async def test_a_gift_card_cannot_pay_more_than_it_holds_and_a_refused_sale_writes_nothing(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    [issued] = await issue_cards(client, club, value_rials=100_000)
    member = await enrol(client, club)
    response = await client.post(
        "/api/v1/purchases",
        json=sale_body(
            member["id"], 300_000, external_id="G-1", gift_card=issued["code"], gift_card_rials=150_000
        ),
        headers=club.headers("cashier", **{"Idempotency-Key": "g-1", "Accept-Language": "en"}),
    )
    assert_refused(response, 409, "insufficient_gift_card")
    assert response.json()["error"]["message"] == (
        "Not enough on the gift card: 100,000 rials left, 150,000 rials requested."
    )
    assert (await card(client, club, issued["code"]))["balance_rials"] == 100_000
    unknown = await pay(client, club, member["id"], 100_000, gift_card="NOSUCHCARD")
    assert_refused(unknown, 404, "gift_card_unknown")
    assert "کارت هدیه" in unknown.json()["error"]["message"]
    assert await ledger_problems(db) == []


async def test_a_batch_of_gift_cards_gets_unmistakable_codes_and_a_csv_export(
    client: httpx.AsyncClient, club: Club
) -> None:
    cards = await issue_cards(client, club, value_rials=500_000, count=50, batch="nowruz", prefix="NZ")
    codes = [c["code"] for c in cards]
    assert len(set(codes)) == 50
    assert all(c.startswith("NZ") and len(c) == 12 and set(c[2:]) <= set(ALPHABET) for c in codes)
    exported = await client.get("/api/v1/gift-cards/batches/nowruz.csv", headers=club.headers("manager"))
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "code,value_rials,balance_rials,status,expires_at"
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(codes)
    cashier = await client.get("/api/v1/gift-cards/batches/nowruz.csv", headers=club.headers("cashier"))
    assert cashier.status_code == 403
    refused = await client.post(
        "/api/v1/gift-cards", json={"value_rials": 1_000, "code": codes[0]}, headers=club.headers("manager")
    )
    assert_refused(refused, 409, "gift_card_code_taken")


async def test_a_gift_card_loaded_into_a_wallet_keeps_its_expiry(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    ends = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    [issued] = await issue_cards(client, club, value_rials=300_000, expires_at=ends.isoformat())
    member = await enrol(client, club)

    loaded = await client.post(
        f"/api/v1/gift-cards/{issued['code']}/load",
        json={"member": {"id": member["id"]}},
        headers=club.headers("cashier", **{"Idempotency-Key": "load-1"}),
    )

    assert loaded.status_code == 201, loaded.text
    body = loaded.json()
    assert (body["amount_rials"], body["card"]["status"]) == (300_000, "used_up")
    assert body["wallet"]["expiring_30d_rials"] == 300_000
    assert datetime.fromisoformat(body["wallet"]["next_expiry_at"]) == ends
    assert (await card(client, club, issued["code"]))["member_id"] == member["id"]
    lines = (await wallet_of(client, club, member["id"]))["items"]
    assert [(line["code"], line["rials"]) for line in lines] == [("gift_card_load", 300_000)]
    assert await ledger_problems(db) == []


async def test_expired_and_cancelled_gift_cards_are_refused_and_their_value_leaves_them(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    old, lost = await issue_cards(client, club, value_rials=200_000, count=2, expires_at=soon)
    member = await enrol(client, club)
    await paid(client, club, member["id"], 50_000, gift_card=old["code"])
    await execute(
        db,
        update(GiftCard)
        .where(GiftCard.code == old["code"])
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)),
    )
    assert (await card(client, club, old["code"]))["status"] == "expired"  # before the job has run
    refused = await pay(client, club, member["id"], 10_000, gift_card=old["code"])
    assert_refused(refused, 409, "gift_card_closed")

    async with db.transaction() as session:
        assert await expire_cards(session) == 150_000
    async with db.transaction() as session:
        assert await expire_cards(session) == 0
    assert (await card(client, club, old["code"]))["balance_rials"] == 0

    assert (
        await client.post(f"/api/v1/gift-cards/{lost['code']}/cancel", headers=club.headers("cashier"))
    ).status_code == 403
    cancelled = await client.post(
        f"/api/v1/gift-cards/{lost['code']}/cancel", headers=club.headers("manager")
    )
    assert (cancelled.json()["status"], cancelled.json()["balance_rials"]) == ("cancelled", 0)
    gone = await pay(client, club, member["id"], 10_000, gift_card=lost["code"])
    assert_refused(gone, 409, "gift_card_closed")
    assert await ledger_problems(db) == []


async def test_a_refund_pays_the_gift_card_back_and_a_used_up_card_works_again(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    [issued] = await issue_cards(client, club, value_rials=200_000)
    member = await enrol(client, club)
    sale = await paid(client, club, member["id"], 300_000, gift_card=issued["code"])
    assert sale["gift_card_rials"] == 200_000
    assert (await card(client, club, issued["code"]))["status"] == "used_up"

    back = await refund(client, club, sale["id"], amount_rials=150_000)

    assert back.status_code == 201, back.text
    assert (back.json()["gift_card_returned_rials"], back.json()["cash_refund_rials"]) == (100_000, 50_000)
    again = await card(client, club, issued["code"])
    assert (again["balance_rials"], again["status"]) == (100_000, "active")
    assert await ledger_problems(db) == []
