"""Coupon batches in the console: the list says from when to when each batch is valid and whether it is
on; a manager moves the dates (Jalali or Gregorian) and switches a batch off — its codes are refused at
the till and by the API until it is switched on again."""

from __future__ import annotations

from datetime import datetime, timedelta

import jdatetime
from sqlalchemy import select
from web_helpers import WebClient

from bashgah.core.jalali import TEHRAN
from bashgah.models import AuditEntry, CouponBatch
from bashgah.web import fmt
from support import enrol, purchase

SHARED = {"name": "یلدا", "discount_type": "fixed", "discount_value": "50000", "code": "YALDA"}


async def _batch(web: WebClient) -> CouponBatch:
    async with web.db.transaction() as session:
        found = await session.scalar(select(CouponBatch))
        assert found is not None
        return found


async def _check(web: WebClient, member_id: int) -> dict:
    answer = await web.http.post(
        "/api/v1/coupons/validate",
        json={"code": "YALDA", "member": {"id": member_id}, "total_rials": 3_000_000},
        headers=web.club.headers(),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_batch_is_made_with_its_days_and_the_list_shows_them(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    saved = await web.submit(
        "/console/club/coupons",
        "/console/club/coupons",
        {**SHARED, "valid_from": "۱۴۰۵/۰۹/۳۰", "valid_until": "1405/10/10"},
    )
    assert saved.status_code == 303, saved.text
    batch = await _batch(web)
    first = jdatetime.date(1405, 9, 30).togregorian()
    last = jdatetime.date(1405, 10, 10).togregorian()
    assert batch.valid_from == datetime(first.year, first.month, first.day, tzinfo=TEHRAN)
    assert batch.valid_until == datetime(last.year, last.month, last.day, tzinfo=TEHRAN) + timedelta(days=1)
    page = (await web.get("/console/club/coupons")).text
    assert f"{fmt.day(first, 'fa')} تا {fmt.day(last, 'fa')}" in page and "فعال" in page
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get("/console/club/coupons")).text
    assert f"{fmt.day(first, 'en')} to {fmt.day(last, 'en')}" in page
    assert 'name="valid_until" value="' + last.isoformat() + '"' in page


async def test_a_manager_moves_a_batchs_last_day_and_clears_it(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    await web.submit("/console/club/coupons", "/console/club/coupons", SHARED)
    batch = await _batch(web)
    path = f"/console/club/coupons/{batch.id}"
    moved = await web.submit(
        "/console/club/coupons", path, {"valid_from": "2026-11-01", "valid_until": "2027-01-31"}
    )
    assert moved.status_code == 303, moved.text
    assert (await _batch(web)).valid_until == datetime(2027, 2, 1, tzinfo=TEHRAN)
    backwards = await web.submit(
        "/console/club/coupons", path, {"valid_from": "2026-11-01", "valid_until": "2026-10-01"}
    )
    assert backwards.status_code == 422 and "باید بعد از شروع باشد" in backwards.text
    web.http.cookies.set("bg_lang", "en")
    nonsense = await web.submit("/console/club/coupons", path, {"valid_from": "soon", "valid_until": ""})
    assert nonsense.status_code == 422 and "Valid from must look like" in nonsense.text
    cleared = await web.submit("/console/club/coupons", path, {"valid_from": "2026-11-01", "valid_until": ""})
    assert cleared.status_code == 303 and (await _batch(web)).valid_until is None
    async with web.db.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert [a for a in actions if a.startswith("coupons.")] == [
        "coupons.batch_created",
        "coupons.batch_changed",
        "coupons.batch_changed",
    ]


async def test_a_batch_switched_off_is_refused_until_switched_on(web: WebClient) -> None:
    member = await enrol(web.http, web.club)
    await web.sign_in_as("owner", "sara")
    await web.submit("/console/club/coupons", "/console/club/coupons", SHARED)
    batch = await _batch(web)
    assert (await _check(web, member["id"]))["valid"] is True
    off = await web.submit(
        "/console/club/coupons", f"/console/club/coupons/{batch.id}/active", {"active": "0"}
    )
    assert off.status_code == 303
    page = (await web.get("/console/club/coupons")).text
    assert '<span class="badge bad">غیرفعال</span>' in page and "فعال کردن" in page
    verdict = await _check(web, member["id"])
    assert verdict["valid"] is False and verdict["reason_code"] == "coupon_switched_off"
    sale = await purchase(web.http, web.club, member["id"], 3_000_000, coupon="YALDA")
    assert sale.status_code == 409 and sale.json()["error"]["code"] == "coupon_switched_off"
    on = await web.submit(
        "/console/club/coupons", f"/console/club/coupons/{batch.id}/active", {"active": "1"}
    )
    assert on.status_code == 303
    assert (await _check(web, member["id"]))["valid"] is True
    web.http.cookies.set("bg_lang", "en")
    audit = (await web.get("/console/club/audit")).text
    assert "Switched a coupon batch off or on" in audit and "Active: <bdi>no</bdi>" in audit
    assert '<a href="/console/club/coupons">یلدا</a>' in audit


async def test_the_api_changes_a_batchs_validity_and_switch(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    await web.submit("/console/club/coupons", "/console/club/coupons", SHARED)
    batch = await _batch(web)
    answer = await web.http.patch(
        f"/api/v1/coupons/batches/{batch.id}",
        json={"active": False, "valid_until": "2027-03-21T00:00:00+03:30"},
        headers=web.club.headers(),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    assert datetime.fromisoformat(answer.json()["valid_until"]) == datetime(2027, 3, 21, tzinfo=TEHRAN)
    cashier = await web.http.patch(
        f"/api/v1/coupons/batches/{batch.id}", json={"active": True}, headers=web.club.headers("cashier")
    )
    assert cashier.status_code == 403


async def test_an_analyst_sees_the_dates_but_no_switch(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    await web.submit("/console/club/coupons", "/console/club/coupons", SHARED)
    batch = await _batch(web)
    analyst = WebClient(web.http, web.db, web.club)
    web.http.cookies.clear()
    await analyst.sign_in_as("analyst", "nazanin")
    page = (await analyst.get("/console/club/coupons")).text
    assert "یلدا" in page and f"/console/club/coupons/{batch.id}/active" not in page
    refused = await web.http.post(
        f"/console/club/coupons/{batch.id}/active", data={"csrf": "x", "active": "0"}
    )
    assert refused.status_code == 403 and (await _batch(web)).active is True
