"""A member's wallet in rials: top-ups, paying at the till, cashback, refunds, expiry, rewards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from wallet_helpers import CASHBACK_5_UP_TO_50000, cashback_member, paid, pay, top_up, topped_up, wallet_of

from bashgah.core.db import Database
from bashgah.models import Account, PointLot, Purchase
from bashgah.wallet.tasks import expire_wallets
from programme.campaign_helpers import new_campaign
from rewards.reward_helpers import redeem
from scenarios import new_reward
from support import (
    Club,
    assert_refused,
    balance,
    enrol,
    execute,
    give_points,
    ledger_problems,
    refund,
    sale_body,
    set_program,
)


async def test_a_customer_tops_up_500000_rials_and_pays_120000_of_a_300000_purchase_from_the_wallet(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    top = await topped_up(client, club, member["id"], 500_000)
    assert top["balance"]["available_rials"] == 500_000
    assert top["reason"] == "POS-TRACE-1"

    sale = await paid(client, club, member["id"], 300_000, wallet_rials=120_000)

    assert (sale["paid_rials"], sale["wallet_rials"], sale["gift_card_rials"]) == (300_000, 120_000, 0)
    assert sale["wallet"]["available_rials"] == 380_000
    # Points are earned on the 180,000 paid in cash, not on the wallet's pre-paid money.
    assert sale["points_earned"] == 18
    wallet = await wallet_of(client, club, member["id"])
    assert wallet["balance"]["total_rials"] == 380_000
    assert [(line["code"], line["rials"]) for line in wallet["items"]] == [
        ("wallet_spend", -120_000),
        ("wallet_top_up", 500_000),
    ]
    assert wallet["items"][0]["description"] == "Paid at the till"
    assert (await wallet_of(client, club, member["id"], "fa"))["items"][0][
        "description"
    ] == "پرداخت از کیف پول"
    fetched = (await client.get(f"/api/v1/purchases/{sale['id']}", headers=club.headers())).json()
    assert fetched["wallet_rials"] == 120_000
    assert await ledger_problems(db) == []


async def test_a_club_that_gives_points_on_wallet_payments_says_so_in_its_programme(
    client: httpx.AsyncClient, club: Club
) -> None:
    await set_program(client, club, earn_on_stored_value=True)
    member = await enrol(client, club)
    await topped_up(client, club, member["id"], 500_000)
    sale = await paid(client, club, member["id"], 300_000, wallet_rials=120_000)
    assert sale["points_earned"] == 30


async def test_paying_more_from_the_wallet_than_it_holds_is_refused_clearly_and_writes_nothing(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    await topped_up(client, club, member["id"], 100_000)

    fa = await pay(client, club, member["id"], 300_000, wallet_rials=150_000, external_id="R-1", key="once")
    en = await client.post(
        "/api/v1/purchases",
        json=sale_body(member["id"], 300_000, external_id="R-1", wallet_rials=150_000),
        headers=club.headers("cashier", **{"Idempotency-Key": "twice", "Accept-Language": "en"}),
    )

    assert_refused(fa, 409, "insufficient_wallet")
    assert "موجودی کیف پول کافی نیست" in fa.json()["error"]["message"]
    assert en.json()["error"]["message"] == (
        "Not enough in the wallet: 100,000 rials available, 150,000 rials requested."
    )
    assert (await wallet_of(client, club, member["id"]))["balance"]["total_rials"] == 100_000
    assert (await balance(client, club, member["id"]))["total"] == 0
    # The receipt number was not used up by the refused sale.
    again = await pay(client, club, member["id"], 300_000, wallet_rials=100_000, external_id="R-1")
    assert again.status_code == 201, again.text
    assert await ledger_problems(db) == []


async def test_the_wallet_and_a_gift_card_cannot_pay_more_than_is_left_to_pay(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    await topped_up(client, club, member["id"], 500_000)
    response = await pay(client, club, member["id"], 100_000, wallet_rials=120_000)
    assert_refused(response, 422, "invalid_input")
    assert (await wallet_of(client, club, member["id"]))["balance"]["total_rials"] == 500_000


async def test_a_member_who_never_topped_up_has_an_empty_wallet_and_cannot_pay_from_it(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    wallet = await wallet_of(client, club, member["id"])
    assert (wallet["balance"]["total_rials"], wallet["items"]) == (0, [])
    response = await pay(client, club, member["id"], 100_000, wallet_rials=1)
    assert_refused(response, 409, "insufficient_wallet")


async def test_a_top_up_sent_twice_with_one_key_is_credited_once(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    first = await top_up(client, club, member["id"], 200_000, key="top-A")
    second = await top_up(client, club, member["id"], 200_000, key="top-A")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (await wallet_of(client, club, member["id"]))["balance"]["total_rials"] == 200_000


async def test_cashiers_top_up_but_only_managers_adjust_by_hand_with_a_reason(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    assert (await top_up(client, club, member["id"], 10_000, role="integration")).status_code == 403

    def adjust(role: str, rials: int, reason: str | None, key: str) -> dict[str, object]:
        body: dict[str, object] = {"amount_rials": rials}
        if reason is not None:
            body["reason"] = reason
        return {"json": body, "headers": club.headers(role, **{"Idempotency-Key": key})}

    url = f"/api/v1/members/{member['id']}/wallet/adjustments"
    assert (await client.post(url, **adjust("cashier", 50_000, "goodwill", "a1"))).status_code == 403  # type: ignore[arg-type]
    assert (await client.post(url, **adjust("manager", 50_000, None, "a2"))).status_code == 422  # type: ignore[arg-type]
    given = await client.post(url, **adjust("manager", 50_000, "late delivery", "a3"))  # type: ignore[arg-type]
    assert given.status_code == 201 and given.json()["balance"]["total_rials"] == 50_000
    too_much = await client.post(url, **adjust("owner", -80_000, "correction", "a4"))  # type: ignore[arg-type]
    assert_refused(too_much, 409, "insufficient_wallet")
    taken = await client.post(url, **adjust("owner", -20_000, "correction", "a5"))  # type: ignore[arg-type]
    assert taken.json()["balance"]["total_rials"] == 30_000
    lines = (await wallet_of(client, club, member["id"]))["items"]
    assert [(line["code"], line["rials"], line["reason"]) for line in lines] == [
        ("wallet_adjust", -20_000, "correction"),
        ("wallet_adjust", 50_000, "late delivery"),
    ]
    assert await ledger_problems(db) == []


async def test_5_percent_cashback_up_to_50000_rials_credits_the_wallet(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    campaign = await new_campaign(client, club, **CASHBACK_5_UP_TO_50000)
    member = await enrol(client, club)

    small = await paid(client, club, member["id"], 400_000)
    big = await paid(client, club, member["id"], 2_000_000)

    assert (small["cashback_rials"], big["cashback_rials"]) == (20_000, 50_000)
    assert small["points_bonus"] == 0 and small["points_earned"] == 40
    assert small["campaigns"] == [
        {
            "id": campaign["id"],
            "version": 1,
            "name": "کش‌بک ۵٪",
            "points": 0,
            "rules": ["cb"],
            "cashback_rials": 20_000,
        }
    ]
    assert big["wallet"]["total_rials"] == 70_000
    examined = await client.post(
        "/api/v1/purchases/examine",
        json={"member": {"id": member["id"]}, "branch": "main", "external_id": "X", "total_rials": 600_000},
        headers=club.headers("cashier"),
    )
    assert examined.json()["cashback_rials"] == 30_000
    assert examined.json()["campaigns"][0]["fires"] is True
    lines = (await wallet_of(client, club, member["id"]))["items"]
    assert [(line["code"], line["rials"]) for line in lines] == [("cashback", 50_000), ("cashback", 20_000)]
    assert await ledger_problems(db) == []


async def test_cashback_expires_after_3_months(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    await set_program(client, club, cashback_expiry_months=3)
    member = await cashback_member(client, club)
    await topped_up(client, club, member["id"], 100_000)  # a top-up is the member's money: it never expires

    sale = await paid(client, club, member["id"], 400_000)

    expiry = datetime.fromisoformat(sale["wallet"]["next_expiry_at"])
    assert timedelta(days=88) < expiry - datetime.now(UTC) < timedelta(days=93)
    async with db.transaction() as session:
        wallet_id = await session.scalar(
            select(Account.id).where(Account.member_id == member["id"], Account.asset == "rials")
        )
    await execute(
        db,
        update(PointLot)
        .where(PointLot.account_id == wallet_id, PointLot.expires_at.is_not(None))
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)),
    )
    async with db.transaction() as session:
        assert await expire_wallets(session) == 20_000
    async with db.transaction() as session:
        assert await expire_wallets(session) == 0

    wallet = await wallet_of(client, club, member["id"])
    assert wallet["balance"]["total_rials"] == 100_000
    assert (wallet["items"][0]["code"], wallet["items"][0]["rials"]) == ("wallet_expire", -20_000)
    assert await ledger_problems(db) == []


async def test_a_refund_returns_the_wallet_money_and_takes_the_cashback_back(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await cashback_member(client, club)
    await topped_up(client, club, member["id"], 500_000)
    sale = await paid(client, club, member["id"], 300_000, wallet_rials=120_000)
    assert sale["cashback_rials"] == 9_000  # 5% of the 180,000 paid in cash
    assert sale["wallet"]["total_rials"] == 389_000

    half = await refund(client, club, sale["id"], amount_rials=100_000)
    rest = await refund(client, club, sale["id"])

    assert half.status_code == 201 and rest.status_code == 201, half.text + rest.text
    first, second = half.json(), rest.json()
    assert (first["wallet_returned_rials"], first["cashback_reversed_rials"]) == (40_000, 3_000)
    assert first["cash_refund_rials"] == 60_000
    # The parts add up exactly to the whole.
    assert first["wallet_returned_rials"] + second["wallet_returned_rials"] == 120_000
    assert first["cashback_reversed_rials"] + second["cashback_reversed_rials"] == 9_000
    assert first["cash_refund_rials"] + second["cash_refund_rials"] == 180_000
    assert second["wallet"]["total_rials"] == 500_000
    # The returned rials went back to the top-up's own lot: nothing new, nothing that expires.
    async with db.transaction() as session:
        purchase = await session.get(Purchase, sale["id"])
        assert purchase is not None and purchase.wallet_lots == []
    assert await ledger_problems(db) == []


async def test_a_refund_takes_back_only_the_cashback_still_in_the_wallet(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member = await cashback_member(client, club)
    sale = await paid(client, club, member["id"], 400_000)
    assert sale["cashback_rials"] == 20_000
    # The cashback pays most of the next purchase; the wallet keeps 5,000 + that sale's own cashback.
    await paid(client, club, member["id"], 15_000, wallet_rials=15_000)

    back = await refund(client, club, sale["id"])

    assert back.json()["cashback_reversed_rials"] == 5_000
    assert back.json()["wallet"]["total_rials"] == 0
    assert await ledger_problems(db) == []


async def test_wallet_credit_reward(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    reward = await new_reward(client, club, kind="wallet_credit", credit_rials=100_000, cost_points=50)
    assert reward["credit_rials"] == 100_000
    member = await enrol(client, club)
    other = await enrol(client, club)
    await give_points(client, club, member["id"], 50)
    await give_points(client, club, other["id"], 50)

    got = await redeem(client, club, member["id"], reward["id"])
    spent_it = await redeem(client, club, other["id"], reward["id"])

    assert got.status_code == 201, got.text
    assert (got.json()["status"], got.json()["wallet"]["total_rials"]) == ("used", 100_000)
    assert got.json()["balance"]["total"] == 0
    cancelled = await client.post(
        f"/api/v1/reward-instances/{got.json()['code']}/cancel", headers=club.headers("manager")
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["wallet"]["total_rials"] == 0
    assert cancelled.json()["balance"]["total"] == 50
    # A credit already spent at the till is not taken back.
    await paid(client, club, other["id"], 30_000, wallet_rials=30_000)
    refused = await client.post(
        f"/api/v1/reward-instances/{spent_it.json()['code']}/cancel", headers=club.headers("manager")
    )
    assert_refused(refused, 409, "invalid_state")
    assert (await wallet_of(client, club, other["id"]))["balance"]["total_rials"] == 70_000
    assert await ledger_problems(db) == []


async def test_cashback_past_its_date_leaves_the_wallet_total_before_the_job_and_a_back_dated_sale_dates_it(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await set_program(client, club, cashback_expiry_months=3)
    member = await cashback_member(client, club)
    await topped_up(client, club, member["id"], 100_000)
    sold_at = datetime.now(UTC) - timedelta(days=120)  # four months ago: its cashback is past its date

    sale = await paid(client, club, member["id"], 400_000, occurred_at=sold_at.isoformat())

    assert sale["cashback_rials"] == 20_000
    shown = (await wallet_of(client, club, member["id"]))["balance"]
    assert (shown["available_rials"], shown["pending_rials"], shown["total_rials"]) == (100_000, 0, 100_000)
    async with db.transaction() as session:
        assert await expire_wallets(session) == 20_000
    assert (await wallet_of(client, club, member["id"]))["balance"] == shown
    assert await ledger_problems(db) == []
