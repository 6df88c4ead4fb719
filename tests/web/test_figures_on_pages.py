"""Every figure a person reads on a page is written like the page: Persian digits, the club's money unit
(toman, rial or the new rial), in refusals and notices too — and an amount typed in the new rial is
recorded exactly."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select, update
from web_helpers import WebClient

from bashgah.core.db import Database
from bashgah.models import Purchase, Tenant
from support import Club, enrol, execute

LATIN_DIGIT = re.compile(r"[0-9]")


def _alerts(html: str) -> str:
    """The text of the page's error and notice boxes."""
    return " ".join(re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S))


def _fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(key|total|redeem|coupon|reward|branch|step|csrf)" value="([^"]*)"', html))


async def _review(web: WebClient, member_id: int, **typed: str) -> httpx.Response:
    await web.get(f"/pos/members/{member_id}")
    key = _fields(web.last_html)["key"]
    return await web.submit(
        f"/pos/members/{member_id}", f"/pos/members/{member_id}/sale", {"key": key, "step": "review", **typed}
    )


async def _purchases(db: Database) -> list[int]:
    async with db.transaction() as session:
        return list((await session.scalars(select(Purchase.total_rials).order_by(Purchase.id))).all())


async def test_a_coupon_refused_at_the_till_names_its_minimum_in_tomans_and_persian_digits(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    batch = {"name": "Yalda", "discount_type": "fixed", "discount_value": 200_000, "code": "BIG01",
             "min_basket_rials": 3_000_000, "max_uses_per_member": 1}  # fmt: skip
    created = await client.post("/api/v1/coupons/batches", json=batch, headers=club.headers("manager"))
    assert created.status_code == 201, created.text
    member_id = int((await enrol(client, club, mobile="09125550101"))["id"])
    await web.sign_in_as("cashier", "kasra")
    refused = await _review(web, member_id, total="۱۰۰٬۰۰۰", coupon="BIG01")
    assert refused.status_code == 409
    said = _alerts(refused.text)
    assert "حداقل ۳۰۰٬۰۰۰ تومان" in said
    assert not LATIN_DIGIT.search(said), said
    await web.submit(
        f"/pos/members/{member_id}", "/lang", {"lang": "en", "next": f"/pos/members/{member_id}"}
    )
    refused = await _review(web, member_id, total="100000", coupon="BIG01")
    assert "at least 300,000 toman" in _alerts(refused.text)


async def test_points_refused_at_the_till_are_counted_in_persian_digits(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id = int((await enrol(client, club, mobile="09125550101"))["id"])
    await web.sign_in_as("cashier", "kasra")
    refused = await _review(web, member_id, total="100000", redeem="1200")
    said = _alerts(refused.text)
    assert "۰ امتیاز موجود است و ۱٬۲۰۰ درخواست شده" in said and not LATIN_DIGIT.search(said), said


async def test_the_saved_campaign_notice_numbers_the_campaign_in_the_page_digits(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    page = await web.get("/console/campaigns?done=5")
    assert "کمپین ۵ ذخیره شد" in _alerts(page.text)
    await web.submit("/console/campaigns", "/lang", {"lang": "en", "next": "/console/campaigns"})
    assert "Campaign 5 is saved" in _alerts((await web.get("/console/campaigns?done=5")).text)


async def test_a_club_in_new_rials_sells_an_amount_typed_with_qeran_and_shows_it_in_new_rials(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    await execute(db, update(Tenant).values(money_display="new_rial"))
    member_id = int((await enrol(client, club, mobile="09125550101"))["id"])
    await web.sign_in_as("cashier", "kasra")
    member_page = await web.get(f"/pos/members/{member_id}")
    assert "ریال جدید" in member_page.text
    review = await _review(web, member_id, total="۱۲۵٫۵")
    assert review.status_code == 200, _alerts(review.text)
    assert "۱۲۵٫۵۰ ریال جدید" in review.text
    done = await web.http.post(f"/pos/members/{member_id}/sale", data=_fields(review.text))
    assert done.status_code == 303
    assert await _purchases(db) == [1_255_000]  # 125.50 new rials = 1,255,000 of today's rials
    receipt = await web.get(done.headers["location"])
    assert 'id="paid">۱۲۵٫۵۰ ریال جدید' in receipt.text
    await web.submit("/pos", "/lang", {"lang": "en", "next": "/pos"})
    assert 'id="paid">125.50 new rials' in (await web.get(done.headers["location"])).text
    # A third decimal is below the qeran: refused, not rounded, and nothing is recorded.
    refused = await _review(web, member_id, total="125.505")
    assert refused.status_code == 422
    assert "at most 2 decimals" in _alerts(refused.text)
    assert await _purchases(db) == [1_255_000]


async def test_the_owner_switches_the_club_to_new_rials_in_the_settings(web: WebClient, db: Database) -> None:
    await web.sign_in_as("owner", "sara")
    settings = await web.get("/console/club/settings")
    assert 'value="new_rial"' in settings.text
    typed = dict(re.findall(r'<input id="(\w+)" name="\w+" value="([^"]*)"', settings.text))
    typed = {k: v for k, v in typed.items() if k in ("earn_points", "earn_per", "point_value", "pending_days",
                                                      "expiry_months", "reservation_minutes")}  # fmt: skip
    saved = await web.submit(
        "/console/club/settings",
        "/console/club/settings",
        {**typed, "money_display": "new_rial"},
    )
    assert saved.status_code == 303, _alerts(saved.text)
    async with db.transaction() as session:
        assert await session.scalar(select(Tenant.money_display)) == "new_rial"
