"""Coupons as a shop owner describes them, used at the till through POST /api/v1/purchases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from coupon_helpers import codes_of, validate

from bashgah.core.db import Database
from scenarios import first_sale, member_with, new_batch
from support import (
    Club,
    bought,
    enrol,
    error_code,
    ledger_problems,
    make_club,
    purchase,
    refund,
    sale_body,
)

YALDA = {
    "name": "یلدا ۱۴۰۵",
    "discount_type": "percent",
    "discount_percent": 10,
    "max_discount_rials": 500_000,
    "min_basket_rials": 2_000_000,
    "max_uses_per_member": 1,
    "code": "YALDA1405",
}


async def test_yalda_10_percent_off_up_to_500000_on_baskets_over_2000000_one_use_per_member(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    batch = await new_batch(client, club, **YALDA)
    assert batch["kind"] == "universal" and batch["code"] == "YALDA1405"
    sara, reza = await enrol(client, club), await enrol(client, club)

    sale = await bought(client, club, sara["id"], 3_000_000, coupon="yalda-۱۴۰۵")
    assert sale["coupon_discount_rials"] == 300_000
    assert sale["paid_rials"] == 2_700_000
    assert sale["points_earned"] == 270  # 1 point per 10,000 rials paid, not on the discount

    again = await purchase(client, club, sara["id"], 3_000_000, coupon="YALDA1405")
    assert again.status_code == 409 and error_code(again) == "coupon_member_limit"

    big = await bought(client, club, reza["id"], 9_000_000, coupon="YALDA1405")
    assert big["coupon_discount_rials"] == 500_000  # the cap
    assert big["points_earned"] == 850

    small = await purchase(client, club, (await enrol(client, club))["id"], 1_500_000, coupon="YALDA1405")
    assert small.status_code == 409 and error_code(small) == "coupon_below_minimum"

    read = await client.get(f"/api/v1/purchases/{sale['id']}", headers=club.headers())
    assert read.json()["coupon_discount_rials"] == 300_000 and read.json()["paid_rials"] == 2_700_000
    summary = await client.get(f"/api/v1/coupons/batches/{batch['id']}", headers=club.headers())
    assert summary.json()["uses"] == 2 and summary.json()["discount_given_rials"] == 800_000
    assert await ledger_problems(db) == []


async def test_a_discount_names_its_unit_and_the_old_discount_value_is_read_until_0_3(
    client: httpx.AsyncClient, club: Club
) -> None:
    percent = await new_batch(client, club, **YALDA)
    assert (percent["discount_percent"], percent["discount_rials"]) == (10, None)
    assert "discount_value" not in percent
    old = await new_batch(client, club, code="OLD1", discount_value=70_000)
    assert (old["discount_rials"], old["discount_percent"]) == (70_000, None)
    old_percent = await new_batch(client, club, code="OLD2", discount_type="percent", discount_value=15)
    assert old_percent["discount_percent"] == 15
    for wrong in (
        {"discount_type": "percent", "discount_rials": 1000},
        {"discount_type": "fixed", "discount_rials": 1000, "discount_percent": 5},
        {"discount_type": "percent", "discount_percent": 101},
    ):
        body = {"name": "x", "code": "WRONG1", **wrong}
        response = await client.post("/api/v1/coupons/batches", json=body, headers=club.headers("manager"))
        assert (response.status_code, error_code(response)) == (422, "validation_error"), wrong


async def test_a_sale_without_a_coupon_is_priced_as_before(client: httpx.AsyncClient, club: Club) -> None:
    member, sale = await first_sale(client, club, 3_000_000)
    assert (
        sale["coupon_discount_rials"] == 0
        and sale["paid_rials"] == 3_000_000
        and sale["points_earned"] == 300
    )


async def test_1000_single_use_codes_of_200000_rials_each_exported_with_their_uses(
    client: httpx.AsyncClient, club: Club
) -> None:
    batch = await new_batch(
        client, club, name="نوروز", discount_rials=200_000, count=1000, length=6, prefix="NR"
    )
    assert batch["kind"] == "unique" and batch["code_count"] == 1000 and batch["max_uses_per_code"] == 1
    codes = await codes_of(client, club, batch["id"])
    assert len({c for c, _ in codes}) == 1000
    assert all(c.startswith("NR") and len(c) == 8 for c, _ in codes)
    code = codes[0][0]
    first, second = await enrol(client, club), await enrol(client, club)

    sale = await bought(client, club, first["id"], 1_000_000, coupon=code)
    assert sale["coupon_discount_rials"] == 200_000 and sale["points_earned"] == 80
    taken = await purchase(client, club, second["id"], 1_000_000, coupon=code)
    assert taken.status_code == 409 and error_code(taken) == "coupon_used_up"
    assert (await purchase(client, club, second["id"], 1_000_000, coupon=codes[1][0])).status_code == 201

    used = dict(await codes_of(client, club, batch["id"]))
    assert used[code] == 1 and used[codes[1][0]] == 1 and sum(used.values()) == 2


async def test_only_the_first_50_customers_get_the_opening_discount(
    client: httpx.AsyncClient, club: Club
) -> None:
    batch = await new_batch(client, club, count=3, max_uses=2)
    codes = [c for c, _ in await codes_of(client, club, batch["id"])]
    for code in codes[:2]:
        await bought(client, club, (await enrol(client, club))["id"], 500_000, coupon=code)
    third = await purchase(client, club, (await enrol(client, club))["id"], 500_000, coupon=codes[2])
    assert third.status_code == 409 and error_code(third) == "coupon_used_up"


async def test_an_expired_or_not_yet_started_coupon_is_refused_and_validate_says_why(
    client: httpx.AsyncClient, club: Club
) -> None:
    now = datetime.now(UTC)
    await new_batch(
        client,
        club,
        code="PAST",
        valid_from=(now - timedelta(days=10)).isoformat(),
        valid_until=(now - timedelta(days=1)).isoformat(),
    )
    await new_batch(client, club, code="SOON", valid_from=(now + timedelta(days=1)).isoformat())
    member = await enrol(client, club)
    for code, why in (("PAST", "coupon_expired"), ("SOON", "coupon_not_yet_valid")):
        refused = await purchase(client, club, member["id"], 1_000_000, coupon=code)
        assert refused.status_code == 409 and error_code(refused) == why
        verdict = await validate(client, club, code, member["id"], 1_000_000)
        assert verdict["valid"] is False and verdict["reason_code"] == why and verdict["discount_rials"] == 0
    english = await validate(client, club, "PAST", member["id"], 1_000_000, lang="en")
    persian = await validate(client, club, "PAST", member["id"], 1_000_000, lang="fa")
    assert "expired" in english["reason"] and "مهلت" in persian["reason"]


async def test_validate_tells_the_cashier_the_discount_or_the_reason_and_uses_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    batch = await new_batch(client, club, **YALDA)
    member = await enrol(client, club)
    ok = await validate(client, club, "yalda1405", member["id"], 3_000_000)
    assert ok == {
        "valid": True,
        "code": "YALDA1405",
        "batch_id": batch["id"],
        "discount_rials": 300_000,
        "reason_code": None,
        "reason": None,
    }
    assert (await validate(client, club, "YALDA1405", member["id"], 3_000_000))[
        "valid"
    ] is True  # nothing used
    low = await validate(client, club, "YALDA1405", member["id"], 1_000_000, lang="fa")
    assert low["reason_code"] == "coupon_below_minimum"
    assert "حداقل ۲٬۰۰۰٬۰۰۰ ریال" in low["reason"]  # Persian digits in a Persian message, unit named
    await bought(client, club, member["id"], 3_000_000, coupon="YALDA1405")
    used = await validate(client, club, "YALDA1405", member["id"], 3_000_000)
    assert used["reason_code"] == "coupon_member_limit"
    unknown = await validate(client, club, "NOSUCH", member["id"], 3_000_000)
    assert unknown["valid"] is False and unknown["reason_code"] == "coupon_unknown"


async def test_another_clubs_code_does_not_work_here(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    other = await make_club(db, "beta")
    await new_batch(client, other, code="BETA50")
    member = await enrol(client, club)
    refused = await purchase(client, club, member["id"], 1_000_000, coupon="BETA50")
    assert refused.status_code == 404 and error_code(refused) == "coupon_unknown"
    assert (await validate(client, club, "BETA50", member["id"], 1_000_000))[
        "reason_code"
    ] == "coupon_unknown"
    listed = await client.get("/api/v1/coupons/batches", headers=club.headers())
    assert listed.json()["items"] == []


async def test_a_whole_refund_gives_the_code_back_a_partial_one_does_not(
    client: httpx.AsyncClient, club: Club
) -> None:
    batch = await new_batch(client, club, discount_rials=200_000, count=2)
    first, second = (c for c, _ in await codes_of(client, club, batch["id"]))
    member = await enrol(client, club)

    partial = await bought(client, club, member["id"], 1_000_000, coupon=first)
    back = await refund(client, club, partial["id"], amount_rials=500_000)
    assert back.status_code == 201, back.text
    assert back.json()["cash_refund_rials"] == 400_000  # the coupon's half was never paid
    assert error_code(await purchase(client, club, member["id"], 1_000_000, coupon=first)) == "coupon_used_up"

    whole = await bought(client, club, member["id"], 1_000_000, coupon=second)
    back = await refund(client, club, whole["id"])
    assert back.status_code == 201 and back.json()["cash_refund_rials"] == 800_000
    again = await bought(client, club, member["id"], 1_000_000, coupon=second)
    assert again["coupon_discount_rials"] == 200_000
    assert dict(await codes_of(client, club, batch["id"])) == {first: 1, second: 1}


async def test_cashiers_check_codes_but_only_owners_and_managers_make_batches(
    client: httpx.AsyncClient, club: Club
) -> None:
    body = {"name": "x", "discount_type": "fixed", "discount_rials": 1000, "code": "CASHIER"}
    made = await client.post("/api/v1/coupons/batches", json=body, headers=club.headers("cashier"))
    assert made.status_code == 403
    assert (await client.get("/api/v1/coupons/batches", headers=club.headers("cashier"))).status_code == 403
    await new_batch(client, club, code="TAKEN")
    twice = await client.post(
        "/api/v1/coupons/batches", json={**body, "code": "taken"}, headers=club.headers("owner")
    )
    assert twice.status_code == 409 and error_code(twice) == "coupon_code_taken"


async def test_points_and_a_coupon_together_cannot_pay_more_than_the_basket(
    client: httpx.AsyncClient, club: Club
) -> None:
    await new_batch(client, club, code="HALF", discount_type="percent", discount_percent=50)
    member = await member_with(client, club, 1000)
    over = await purchase(client, club, member["id"], 1_000_000, redeem=600, coupon="HALF")
    assert over.status_code == 422
    sale = await bought(client, club, member["id"], 1_000_000, redeem=200, coupon="HALF")
    assert sale["coupon_discount_rials"] == 500_000 and sale["discount_rials"] == 200_000
    assert sale["paid_rials"] == 300_000 and sale["points_earned"] == 30


async def test_a_till_that_resends_a_sale_with_a_single_use_code_gets_the_first_answer_back(
    client: httpx.AsyncClient, club: Club
) -> None:
    batch = await new_batch(client, club, discount_rials=150_000, count=1)
    [(code, _)] = await codes_of(client, club, batch["id"])
    member = await enrol(client, club)
    first = await purchase(
        client, club, member["id"], 1_000_000, key="resend-1", external_id="RS-1", coupon=code
    )
    again = await purchase(
        client, club, member["id"], 1_000_000, key="resend-1", external_id="RS-1", coupon=code
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert await codes_of(client, club, batch["id"]) == [(code, 1)]


async def test_examine_prices_the_sale_after_the_coupon_and_a_refused_coupon_gives_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    await new_batch(client, club, **YALDA)
    member = await enrol(client, club)

    async def examine(total: int) -> dict[str, object]:
        body = sale_body(member["id"], total, external_id="X-1", coupon="YALDA1405")
        response = await client.post("/api/v1/purchases/examine", json=body, headers=club.headers("cashier"))
        assert response.status_code == 200, response.text
        result: dict[str, object] = response.json()
        return result

    assert (await examine(3_000_000))["points_base"] == 270
    assert (await examine(1_000_000))["points_base"] == 100  # below the minimum basket: no discount
