"""Stamp cards in the console: a café owner makes a coffee card (a stamp per coffee, ten for a free one),
the till's next sale stamps it, the owner changes it and retires it; a card of 0 stamps is refused with
what was typed; an analyst only reads."""

from __future__ import annotations

from web_helpers import WebClient, audit_actions

from support import sale_body

COFFEE = {
    "name_fa": "کارت قهوه",
    "name_en": "Coffee card",
    "stamps_needed": "۱۰",
    "per": "unit",
    "match": "categories",
    "items": "coffee",
    "min_total": "",
    "reward_kind": "free_product",
    "reward_sku": "CF-1",
}


async def test_a_cafe_owner_makes_a_coffee_card_the_next_sale_stamps_it_and_then_retires_it(
    web: WebClient,
) -> None:
    await web.sign_in_as("owner", "sara")
    saved = await web.submit("/console/club/stamps", "/console/club/stamps", COFFEE)
    assert saved.status_code == 303, saved.text
    [card] = (await web.http.get("/api/v1/stamp-cards", headers=web.club.headers("manager"))).json()["items"]
    assert card["definition"]["stamps_needed"] == 10
    assert card["definition"]["earn"] == {
        "per": "unit",
        "items": {"skus": None, "categories": ["coffee"], "brands": None},
        "min_total_rials": None,
        "max_per_purchase": None,
    }
    listed = (await web.get("/console/club/stamps")).text
    assert "کارت قهوه" in listed and "۱۰" in listed

    member = (
        await web.http.post(
            "/api/v1/members", json={"mobile": "09121234567"}, headers=web.club.headers("cashier")
        )
    ).json()
    sale = sale_body(
        member["id"],
        200_000,
        external_id="S-1",
        items=[{"sku": "CF-1", "category": "coffee", "quantity": 2, "unit_price_rials": 100_000}],
    )
    sold = await web.http.post(
        "/api/v1/purchases", json=sale, headers=web.club.headers("cashier", **{"Idempotency-Key": "s1"})
    )
    assert sold.status_code == 201, sold.text
    profile = (await web.get(f"/console/members/{member['id']}")).text
    assert "۲ از ۱۰ مهر" in profile

    edit = await web.get(f"/console/club/stamps/{card['id']}")
    assert 'value="coffee"' in edit.text and 'value="CF-1"' in edit.text
    changed = await web.submit(
        f"/console/club/stamps/{card['id']}",
        f"/console/club/stamps/{card['id']}",
        {**COFFEE, "stamps_needed": "8", "reward_kind": "points", "reward_points": "300"},
    )
    assert changed.status_code == 303, changed.text
    card = (
        await web.http.get(f"/api/v1/stamp-cards/{card['id']}", headers=web.club.headers("manager"))
    ).json()
    assert card["version"] == 2 and card["definition"]["reward"]["points"] == 300
    assert card["definition"]["active"] is True

    retired = await web.submit("/console/club/stamps", f"/console/club/stamps/{card['id']}/retire", {})
    assert retired.status_code == 303
    card = (
        await web.http.get(f"/api/v1/stamp-cards/{card['id']}", headers=web.club.headers("manager"))
    ).json()
    assert card["definition"]["active"] is False
    assert await audit_actions(web, "stamps.") == [
        "stamps.card_created",
        "stamps.card_changed",
        "stamps.card_retired",
    ]


async def test_a_stamp_card_of_zero_stamps_is_refused_with_what_was_typed(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    refused = await web.submit(
        "/console/club/stamps", "/console/club/stamps", {**COFFEE, "stamps_needed": "0"}
    )
    assert refused.status_code == 422
    assert "«تعداد مهر لازم» باید دست‌کم ۱ باشد" in refused.text
    assert 'value="coffee"' in refused.text
    no_sku = await web.submit("/console/club/stamps", "/console/club/stamps", {**COFFEE, "reward_sku": ""})
    assert no_sku.status_code == 422
    assert (await web.http.get("/api/v1/stamp-cards", headers=web.club.headers("manager"))).json()[
        "items"
    ] == []
    assert await audit_actions(web, "stamps.") == []


async def test_an_analyst_reads_the_stamp_cards_but_cannot_change_them(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    assert (await web.submit("/console/club/stamps", "/console/club/stamps", COFFEE)).status_code == 303
    web.http.cookies.clear()
    await web.sign_in_as("analyst", "nazanin")
    page = await web.get("/console/club/stamps")
    assert page.status_code == 200 and "کارت قهوه" in page.text
    assert 'id="stamp-form"' not in page.text and "/retire" not in page.text
    assert (await web.http.post("/console/club/stamps", data={"csrf": "x", **COFFEE})).status_code == 403
    assert await audit_actions(web, "stamps.") == ["stamps.card_created"]
