"""The member profile's wallet, stamp cards and personal coupons: a manager tops the wallet up with a
reason in the club's unit and sees it on the statement; taking more than is there changes nothing; the
coffee card shows 3 of 10; an analyst reads it all but changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from web_helpers import WebClient

from bashgah.models import AuditEntry
from stamps.stamp_helpers import COFFEE_CARD, sell_coffee
from support import enrol, ledger_problems


async def _wallet_actions(web: WebClient) -> list[Any]:
    async with web.db.transaction() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "member.wallet_adjusted").order_by(AuditEntry.id)
        )
        return [(e.object_id, e.summary["rials"]) for e in found.all()]


async def test_a_manager_tops_up_a_members_wallet_with_a_reason_and_sees_it_on_the_statement(
    web: WebClient,
) -> None:
    member = await enrol(web.http, web.club, "09121234567", first_name="علی")
    await web.sign_in_as("manager", "mina")
    profile = f"/console/members/{member['id']}"
    topped = await web.submit(
        profile, f"{profile}/wallet", {"amount": "۲۰٬۰۰۰", "reason": "جبران تأخیر ارسال", "step": "confirm"}
    )
    assert topped.status_code == 303, topped.text
    page = (await web.get(profile)).text
    assert "۲۰٬۰۰۰" in page.split('id="wallet-available"')[1][:80]
    assert "جبران تأخیر ارسال" in page
    wallet = (await web.http.get(f"/api/v1/members/{member['id']}/wallet", headers=web.club.headers())).json()
    assert wallet["balance"]["available_rials"] == 200_000

    too_much = await web.submit(profile, f"{profile}/wallet", {"amount": "-50000", "reason": "اشتباه"})
    assert too_much.status_code == 422 and 'value="-50000"' in too_much.text
    zero = await web.submit(profile, f"{profile}/wallet", {"amount": "0", "reason": "هیچ"})
    assert zero.status_code == 422 and "«مبلغ» نباید صفر باشد" in zero.text
    wallet = (await web.http.get(f"/api/v1/members/{member['id']}/wallet", headers=web.club.headers())).json()
    assert wallet["balance"]["available_rials"] == 200_000
    assert await _wallet_actions(web) == [(str(member["id"]), 200_000)]
    assert await ledger_problems(web.db) == []


async def test_the_profile_shows_open_stamp_cards_and_personal_coupons(web: WebClient) -> None:
    made = await web.http.post("/api/v1/stamp-cards", json=COFFEE_CARD, headers=web.club.headers("manager"))
    assert made.status_code == 201, made.text
    member = await enrol(web.http, web.club, "09121234567", first_name="علی")
    await sell_coffee(web.http, web.club, member["id"], 3)
    await web.sign_in_as("analyst", "nazanin")
    page = (await web.get(f"/console/members/{member['id']}")).text
    cards = page.split('id="stamp-cards"')[1].split("</section>")[0]
    assert "کارت قهوه" in cards and "۳ از ۱۰ مهر" in cards
    assert "کوپن شخصی‌ای ندارد" in page
    assert 'action="/console/members/' not in page
    refused = await web.http.post(
        f"/console/members/{member['id']}/wallet", data={"csrf": "x", "amount": "1000", "reason": "test"}
    )
    assert refused.status_code == 403
    assert await _wallet_actions(web) == []


async def test_a_personal_coupon_a_campaign_gave_shows_on_the_profile_as_usable(web: WebClient) -> None:
    from bashgah.coupons import service as coupons
    from bashgah.coupons.schemas import BatchCreate

    member = await enrol(web.http, web.club, "09121234567", first_name="علی")
    async with web.db.transaction() as session:
        batch = await coupons.create_batch(
            session,
            web.club.tenant_id,
            BatchCreate(
                name="یلدا", discount_type="percent", discount_value=15, max_discount_rials=500_000, count=1
            ),
        )
        given = await coupons.give_code(session, web.club.tenant_id, batch.id, member["id"])
    assert given is not None
    await web.sign_in_as("manager", "mina")
    page = (await web.get(f"/console/members/{member['id']}")).text
    coupons_box = page.split('id="member-coupons"')[1].split("</section>")[0]
    assert given[0] in coupons_box and "یلدا" in coupons_box and "۱۵٪" in coupons_box
    assert "قابل استفاده" in coupons_box
